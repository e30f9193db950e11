// Ask the OS for a free loopback TCP port. There is a small race between closing the probe socket and a
// node binding the port; a node that loses it fails to start with a clear error.
import { createServer, type AddressInfo } from 'node:net';

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
