import net from "node:net";
import { Aedes } from "aedes";
import { authorizeSubscribe, type MessageSink, makeAuthorizePublish } from "./auth.ts";

export interface BrokerOptions {
  port: number;
  host: string;
  sink: MessageSink;
}

export interface RunningBroker {
  aedes: Aedes;
  /** The bound port (useful when 0 was asked for). */
  port: number;
  connectedClients(): number;
  close(): Promise<void>;
}

/** The embedded aedes MQTT broker (MQTT 3.1.1 over TCP). */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const aedes = await Aedes.createBroker({
    authorizePublish: makeAuthorizePublish(options.sink),
    authorizeSubscribe,
  });
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    aedes,
    port,
    connectedClients: () => aedes.connectedClients,
    async close() {
      // Stop accepting first, then disconnect the clients; messages already handed to the sink
      // are committed by its own close.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await serverClosed;
    },
  };
}
