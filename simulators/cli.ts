/**
 * `npm run simulate -- [--api URL] [--mqtt URL] [--sites A,B] [--interval SECONDS] [--removal-chance P] [--once]`
 * Drives the demo network's registered weight shelves and environment sensors over MQTT (QoS 1).
 * Shelves start at the site's book quantity, so the sensed stock agrees with the ledger until units
 * are taken off.
 */
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { type EnvSimState, type ShelfSimState, type SimMessage, stepEnv, stepShelf } from "./devices.ts";

interface ApiDevice {
  id: string;
  siteCode: string;
  kind: "rfid" | "shelf" | "env";
  itemType?: string;
  tareKg?: number;
  unitWeightKg?: number;
}

const { values } = parseArgs({
  options: {
    api: { type: "string", default: process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 8080}` },
    mqtt: {
      type: "string",
      default: process.env.MQTT_URL ?? `mqtt://localhost:${process.env.MQTT_PORT ?? 1883}`,
    },
    sites: { type: "string" },
    interval: { type: "string", default: "5" },
    "removal-chance": { type: "string", default: "0.02" },
    once: { type: "boolean", default: false },
  },
});

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(`${url}: ${response.status} ${body.message ?? ""}`);
  return body;
}

async function main(): Promise<void> {
  const intervalMs = Number(values.interval) * 1000;
  const removalChance = Number(values["removal-chance"]);
  if (!(intervalMs > 0) || !(removalChance >= 0 && removalChance <= 1)) {
    throw new Error("--interval must be a positive number of seconds and --removal-chance between 0 and 1");
  }
  const wanted = values.sites ? new Set(values.sites.split(",")) : null;
  const devices = (await getJson<ApiDevice[]>(`${values.api}/api/devices`)).filter(
    (d) => !wanted || wanted.has(d.siteCode),
  );
  if (devices.length === 0)
    throw new Error("no registered devices match; is the platform running with DEMO=1?");

  const shelves: ShelfSimState[] = [];
  const sensors: EnvSimState[] = [];
  for (const device of devices) {
    if (device.kind === "shelf" && device.itemType && device.tareKg !== undefined && device.unitWeightKg) {
      const stock = await getJson<{ items: Array<{ itemTypeCode: string; bookQty: number }> }>(
        `${values.api}/api/sites/${encodeURIComponent(device.siteCode)}/stock`,
      );
      const units = stock.items.find((i) => i.itemTypeCode === device.itemType)?.bookQty ?? 0;
      shelves.push({
        deviceId: device.id,
        siteCode: device.siteCode,
        tareKg: device.tareKg,
        unitWeightKg: device.unitWeightKg,
        units,
        noiseKg: 0.05,
        removalChance,
      });
    } else if (device.kind === "env") {
      sensors.push({
        deviceId: device.id,
        siteCode: device.siteCode,
        temperatureC: 16 + Math.random() * 6,
        humidityPct: 40 + Math.random() * 15,
      });
    }
  }

  const client = await mqtt.connectAsync(values.mqtt, { clientId: `simulator-${process.pid}`, clean: true });
  console.log(`simulating ${shelves.length} shelves and ${sensors.length} sensors against ${values.mqtt}`);
  const publishAll = async (messages: SimMessage[]) => {
    await Promise.all(messages.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
  };
  const tick = async () => {
    const now = Date.now();
    const messages: SimMessage[] = [];
    shelves.forEach((state, i) => {
      const next = stepShelf(state, now, Math.random);
      if (next.state.units !== state.units) {
        console.log(
          `${state.deviceId}: ${state.units - next.state.units} unit(s) taken, ${next.state.units} left`,
        );
      }
      shelves[i] = next.state;
      messages.push(...next.messages);
    });
    sensors.forEach((state, i) => {
      const next = stepEnv(state, now, Math.random);
      sensors[i] = next.state;
      messages.push(...next.messages);
    });
    await publishAll(messages);
  };

  await tick();
  if (values.once) {
    await client.endAsync();
    return;
  }
  const timer = setInterval(
    () => tick().catch((error) => console.error(`publish failed: ${error.message}`)),
    intervalMs,
  );
  const stop = async () => {
    clearInterval(timer);
    await client.endAsync();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(`simulator: ${error.message}`);
  process.exit(1);
});
