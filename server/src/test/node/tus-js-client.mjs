// Drives tus-js-client, unmodified, against a running podsync server: upload, creation with upload, a cut and a
// resume, a right and a wrong checksum, a wrong hash, an oversize upload, an artifact the server has. Run by
// TusJsClientTest, which prepares the files and the server and checks the server's side afterwards.
// Input: a JSON file (argv[2]) with server, token, otherToken, maxBytes and files [{name, path, sha256}].
// Output: one line "ok <scenario>" per scenario; any failure ends the process with a non-zero code.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { Upload } from 'tus-js-client';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const files = Object.fromEntries(config.files.map((f) => [f.name, { ...f, data: readFileSync(f.path) }]));
const endpoint = `${config.server}/v1/uploads`;

function options(file, extra = {}) {
  return {
    endpoint,
    headers: { Authorization: `Bearer ${extra.token ?? config.token}` },
    // The artifact's SHA-256 (hex), media type and kind: what podsync needs to verify and file it.
    metadata: { sha256: extra.sha256 ?? file.sha256, filetype: 'image/jpeg', kind: 'photo', filename: `${file.name}.jpg` },
    retryDelays: null,
    ...extra.tus,
  };
}

function run(file, extra = {}) {
  return new Promise((resolve, reject) => {
    const upload = new Upload(file.data, {
      ...options(file, extra),
      onSuccess: () => resolve(upload),
      onError: (err) => reject(err),
    });
    extra.started?.(upload);
    upload.start();
  });
}

async function expectStatus(promise, status, what) {
  try {
    await promise;
  } catch (err) {
    const got = err.originalResponse ? err.originalResponse.getStatus() : 'no answer';
    if (got !== status) throw new Error(`${what}: expected ${status}, got ${got}`);
    return;
  }
  throw new Error(`${what}: expected ${status}, the upload succeeded`);
}

function check(condition, what) {
  if (!condition) throw new Error(what);
}

/** A TCP proxy to the server that breaks its first connection after that many bytes from the client. */
function cuttingProxy(cutAfter) {
  let cut = false;
  const target = new URL(config.server);
  const proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    let sent = 0;
    client.on('data', (data) => {
      sent += data.length;
      if (!cut && sent > cutAfter) {
        cut = true;
        upstream.write(data.subarray(0, data.length - (sent - cutAfter)));
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(data);
    });
    upstream.on('data', (data) => client.write(data));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(proxy)));
}

const sha256b64 = (bytes) => createHash('sha256').update(bytes).digest('base64');

const scenarios = {
  // The default: POST to create (no body), then one PATCH with the whole file.
  async upload() {
    const u = await run(files.plain);
    check(new URL(u.url).pathname.startsWith('/v1/uploads/up-'), `upload URL ${u.url}`);
  },

  // creation-with-upload: the bytes travel in the POST.
  async creationWithUpload() {
    const methods = [];
    await run(files.oneRequest, {
      tus: { uploadDataDuringCreation: true, onBeforeRequest: (req) => methods.push(req.getMethod()) },
    });
    check(methods.join(',') === 'POST', `requests ${methods}`);
  },

  // The network goes half-way through the second chunk (a proxy cuts the connection); a new Upload of the same URL
  // asks for the offset (HEAD) and continues from the last whole chunk.
  async cutAndResume() {
    const file = files.resumed;
    const chunkSize = 256 * 1024;
    const proxy = await cuttingProxy(chunkSize + 100_000);
    const viaProxy = { endpoint: `http://127.0.0.1:${proxy.address().port}/v1/uploads`, chunkSize };
    let first;
    await expectStatus(run(file, { tus: viaProxy, started: (u) => (first = u) }), 'no answer', 'the cut');
    const requests = [];
    await run(file, {
      tus: {
        ...viaProxy,
        uploadUrl: first.url,
        onBeforeRequest: (req) => requests.push(`${req.getMethod()} ${req.getHeader('Upload-Offset') ?? ''}`.trim()),
      },
    });
    proxy.close();
    check(requests[0] === 'HEAD', `resumed with ${requests}`);
    check(requests[1] === `PATCH ${chunkSize}`, `resumed from the last whole chunk: ${requests}`);
  },

  // tus checksum extension: each PATCH carries the SHA-256 of its chunk.
  async checksum() {
    const file = files.checksummed;
    const chunkSize = 200_000;
    await run(file, {
      tus: {
        chunkSize,
        onBeforeRequest: (req) => {
          if (req.getMethod() === 'PATCH') {
            const offset = Number(req.getHeader('Upload-Offset'));
            req.setHeader('Upload-Checksum', `sha256 ${sha256b64(file.data.subarray(offset, offset + chunkSize))}`);
          }
        },
      },
    });
  },

  async wrongChecksum() {
    await expectStatus(
      run(files.corrupted, {
        tus: {
          onBeforeRequest: (req) => {
            if (req.getMethod() === 'PATCH') req.setHeader('Upload-Checksum', `sha256 ${sha256b64(Buffer.from('other'))}`);
          },
        },
      }),
      460,
      'a wrong checksum',
    );
  },

  async wrongHash() {
    await expectStatus(run(files.misdeclared, { sha256: files.plain.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')) }), 422, 'a wrong hash');
  },

  async oversize() {
    const big = { ...files.plain, data: Buffer.alloc(config.maxBytes + 1, 0xff) };
    await expectStatus(run(big), 413, 'an oversize upload');
  },

  // Another device uploads an artifact the server has: the upload succeeds and nothing is stored twice.
  async known() {
    await run(files.plain, { token: config.otherToken });
  },
};

for (const [name, scenario] of Object.entries(scenarios)) {
  try {
    await scenario();
    console.log(`ok ${name}`);
  } catch (err) {
    console.error(`FAILED ${name}: ${err.stack ?? err}`);
    process.exit(1);
  }
}
process.exit(0);
