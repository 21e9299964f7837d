/** The baseline: aedes with no hooks, in its own process like the platform, on the port given. */
import net from "node:net";
import { Aedes } from "aedes";

const aedes = await Aedes.createBroker();
const server = net.createServer(aedes.handle);
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1");
process.on("SIGTERM", () => aedes.close(() => server.close(() => process.exit(0))));
