// Upload throughput, side by side in one run, for deploy/bench-uploads.sh: the same client (tus-js-client, unmodified)
// uploads the same sizes to podsync and to the reference tus server for Node, and plain PUTs of the same bytes go
// straight to the S3 server both of them store in. Every upload is new content, so nothing is "already stored".
// Usage: node bench-uploads-client.mjs <config.json>; config: podsync, token, peer, s3 (bucket URL), sizes,
// seconds, warmup, concurrency. Prints one line per size and path.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Upload } from 'tus-js-client';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
/** Numbers every upload of the run: no two carry the same bytes, whatever the path, or podsync would have them. */
let serial = 0;

/**
 * A JPEG-looking template whose last 16 bytes change per upload. The SHA-256 of the fixed part is computed once and
 * copied for each upload, so the client's hashing (which a phone does when it takes the photo) is not timed.
 */
function payloads(size, worker) {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) data.writeUInt32LE((Math.imul(i, 2654435761) ^ size) >>> 0, Math.min(i, size - 4));
  data.set([0xff, 0xd8, 0xff, 0xe0]);
  const fixed = createHash('sha256').update(data.subarray(0, size - 16));
  return () => {
    serial++;
    data.writeUInt32BE(worker, size - 16);
    data.writeDoubleBE(serial, size - 12);
    data.writeUInt32BE(process.pid, size - 4);
    return { data, sha256: fixed.copy().update(data.subarray(size - 16)).digest('hex') };
  };
}

function tus(endpoint, headers, oneRequest) {
  return ({ data, sha256 }) =>
    new Promise((resolve, reject) => {
      new Upload(data, {
        endpoint,
        headers,
        metadata: { sha256, filetype: 'image/jpeg', kind: 'photo', filename: 'photo.jpg' },
        uploadDataDuringCreation: oneRequest,
        retryDelays: null,
        onSuccess: resolve,
        onError: reject,
      }).start();
    });
}

function put({ data }) {
  return new Promise((resolve, reject) => {
    const key = `${config.s3}/${createHash('sha1').update(data.subarray(data.length - 16)).digest('hex')}`;
    const req = request(key, { method: 'PUT', headers: { 'Content-Length': data.length, 'Content-Type': 'image/jpeg' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function measure(seconds, size, send) {
  const until = Date.now() + seconds * 1000;
  let bytes = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: config.concurrency }, async (_, worker) => {
      const next = payloads(size, worker);
      while (Date.now() < until) {
        await send(next());
        bytes += size;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return bytes / elapsed / 1e6;
}

const podsyncHeaders = { Authorization: `Bearer ${config.token}` };
const paths = [
  ['podsync, tus POST+PATCH', tus(`${config.podsync}/v1/uploads`, podsyncHeaders, false)],
  ['@tus/server, tus POST+PATCH', tus(`${config.peer}/files`, {}, false)],
  ['podsync, tus creation-with-upload', tus(`${config.podsync}/v1/uploads`, podsyncHeaders, true)],
  ['@tus/server, tus creation-with-upload', tus(`${config.peer}/files`, {}, true)],
  ['direct PUT to S3', put],
];
for (const size of config.sizes) {
  const results = [];
  for (const [name, send] of paths) {
    if (config.warmup > 0) await measure(config.warmup, size, send);
    results.push([name, await measure(config.seconds, size, send)]);
  }
  for (const [name, rate] of results) {
    console.log(`size=${size} concurrency=${config.concurrency} path="${name}" MB/s=${rate.toFixed(1)}`);
  }
}
process.exit(0);
