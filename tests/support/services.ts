import { connect } from "node:net";

/** Whether something accepts a TCP connection at host:port within `timeoutMs`. */
export function accepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(timeoutMs);
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Whether the service at `url` (redis://…, amqp://…) answers: the tests that need one skip, saying so, when not. */
export function serviceAnswers(url: string, defaultPort: number): Promise<boolean> {
  const at = new URL(url);
  return accepts(at.hostname, Number(at.port || defaultPort));
}
