// The reference tus server for Node (@tus/server with @tus/s3-store), for deploy/bench-uploads.sh: stores uploads
// in the same S3 server as podsync. Usage: node bench-uploads-peer.mjs <port> <s3 endpoint> <bucket>
import { createServer } from 'node:http';
import { Server } from '@tus/server';
import { S3Store } from '@tus/s3-store';

const [port, endpoint, bucket] = process.argv.slice(2);
const tus = new Server({
  path: '/files',
  datastore: new S3Store({
    partSize: 8 * 1024 * 1024,
    useTags: false, // S3Proxy's filesystem backend has no object tags
    s3ClientConfig: {
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      // The SDK's default CRC trailers (aws-chunked bodies) are not understood by every S3-compatible server;
      // S3Proxy broke about a third of the uploads with them (EPIPE under concurrency).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench-secret-key' },
    },
  }),
});
createServer((req, res) => tus.handle(req, res)).listen(Number(port), '127.0.0.1', () => console.log(`tus peer on ${port}`));
