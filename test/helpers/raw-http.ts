import net from 'node:net';

export interface RawAnswer {
  /** The status of the answer's status line; null when the server closed without one. */
  status: number | null;
  head: string;
}

/** Writes raw bytes to a loopback server, half-closes, and reads whatever comes back. */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 3000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      resolve({ status: m ? Number(m[1]) : null, head: text.split('\r\n\r\n')[0] ?? '' });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.end(bytes));
  });
}

/** The requests of issue 15 that each ended `countersign serve` with an uncaught exception. */
export function killerRequests(host: string, token: string): string[] {
  const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
  return [
    `GET http://[ HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET http://[ HTTP/1.1\r\nHost: ${host}\r\n${upgrade}\r\n\r\n`,
    `GET /% HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /%?token=${token} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `POST /api/%E0%A4%A HTTP/1.1\r\nHost: ${host}\r\nx-countersign-token: ${token}\r\nContent-Length: 2\r\n\r\n{}`,
    `GET /events?token=% HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n${upgrade}\r\n\r\n`,
    `GET http://[/events HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n${upgrade}\r\n\r\n`,
    `GET * HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
  ];
}
