/** The baseline: aedes with no hooks, in its own process like the platform, printing its port. */
import net from "node:net";
import { Aedes } from "aedes";

const aedes = await Aedes.createBroker();
const server = net.createServer(aedes.handle);
server.listen(0, "127.0.0.1", () => {
  console.log(`port ${(server.address() as net.AddressInfo).port}`);
});
process.on("SIGTERM", () => aedes.close(() => server.close(() => process.exit(0))));
