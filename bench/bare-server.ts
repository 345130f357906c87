import { createServer } from 'node:http';

/** The reference of SPEC §11: a bare node:http server answering a fixed JSON. Prints its port. */
const body = JSON.stringify({ decision: 'allow', service: 'svc-1', zone: 'normal', reasons: ['fixed'] });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT=${(server.address() as { port: number }).port}\n`);
});
