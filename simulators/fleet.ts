/**
 * Builds simulated devices from what the platform has registered (through its API), so the
 * simulators publish as the real devices of the demo network would.
 */
import { seededRandom } from "../server/domain/random.ts";
import { encodeSgtin96 } from "../server/ingest/decoders/epc.ts";
import type { EnvSimState, ReaderSimState, ShelfSimState, SimTag } from "./devices.ts";

interface ApiDevice {
  id: string;
  siteCode: string;
  kind: "rfid" | "shelf" | "env";
  model: string | null;
  itemType?: string;
  tareKg?: number;
  unitWeightKg?: number;
  antennas?: Array<{ antenna: number; role: "storage" | "portal-outside" | "portal-inside"; zone: string }>;
}

interface ApiTagRange {
  gtin14: string;
  companyPrefixDigits: number | null;
  serialFrom: number;
  serialTo: number;
  siteCode: string | null;
}

export interface Fleet {
  shelves: ShelfSimState[];
  sensors: EnvSimState[];
  readers: ReaderSimState[];
}

export interface FleetOptions {
  apiUrl: string;
  /** A session token of the platform's API (reading devices, tags and stock needs a login). */
  token?: string;
  /** Site codes, or how many sites (the first N that have devices). All when absent. */
  sites?: string[] | number;
  seed: number;
  removalChance: number;
  excursionChance: number;
  /** Cap on tags per reader, to keep a light load light. */
  maxTagsPerReader?: number;
}

async function getJson<T>(url: string, token: string | undefined): Promise<T> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(`${url}: ${response.status} ${body.message ?? ""}`);
  return body;
}

/** Logs in to the platform's API and returns the session token. */
export async function apiLogin(apiUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${apiUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!response.ok || !body.token)
    throw new Error(`login as ${username}: ${response.status} ${body.message ?? ""}`);
  return body.token;
}

export async function buildFleet(options: FleetOptions): Promise<Fleet> {
  const random = seededRandom(options.seed);
  const all = await getJson<ApiDevice[]>(`${options.apiUrl}/api/devices`, options.token);
  const siteCodes = [...new Set(all.map((d) => d.siteCode))];
  const chosen =
    options.sites === undefined
      ? new Set(siteCodes)
      : typeof options.sites === "number"
        ? new Set(siteCodes.slice(0, options.sites))
        : new Set(options.sites);
  const devices = all.filter((d) => chosen.has(d.siteCode));
  const ranges = devices.some((d) => d.kind === "rfid")
    ? (await getJson<{ ranges: ApiTagRange[] }>(`${options.apiUrl}/api/tags`, options.token)).ranges
    : [];

  const fleet: Fleet = { shelves: [], sensors: [], readers: [] };
  const bookQty = new Map<string, Map<string, number>>();
  const stockOf = async (siteCode: string) => {
    let site = bookQty.get(siteCode);
    if (!site) {
      const stock = await getJson<{ items: Array<{ itemTypeCode: string; bookQty: number }> }>(
        `${options.apiUrl}/api/sites/${encodeURIComponent(siteCode)}/stock`,
        options.token,
      );
      site = new Map(stock.items.map((i) => [i.itemTypeCode, i.bookQty]));
      bookQty.set(siteCode, site);
    }
    return site;
  };

  for (const device of devices) {
    if (device.kind === "shelf" && device.itemType && device.tareKg !== undefined && device.unitWeightKg) {
      const units = (await stockOf(device.siteCode)).get(device.itemType) ?? 0;
      fleet.shelves.push({
        deviceId: device.id,
        siteCode: device.siteCode,
        tareKg: device.tareKg,
        unitWeightKg: device.unitWeightKg,
        units,
        noiseKg: 0.05,
        removalChance: options.removalChance,
      });
    } else if (device.kind === "env") {
      const base = 14 + random() * 8;
      fleet.sensors.push({
        deviceId: device.id,
        siteCode: device.siteCode,
        temperatureC: base,
        baseTemperatureC: base,
        humidityPct: 40 + random() * 15,
        excursionChance: options.excursionChance,
        excursionSteps: 0,
      });
    } else if (device.kind === "rfid") {
      const antennas = device.antennas ?? [];
      const storage = antennas.filter((a) => a.role === "storage").map((a) => a.antenna);
      const outside = antennas.find((a) => a.role === "portal-outside")?.antenna;
      const inside = antennas.find((a) => a.role === "portal-inside")?.antenna;
      const tags: SimTag[] = [];
      for (const range of ranges.filter(
        (r) => r.siteCode === device.siteCode && r.companyPrefixDigits !== null,
      )) {
        for (let serial = range.serialFrom; serial <= range.serialTo; serial += 1) {
          if (tags.length >= (options.maxTagsPerReader ?? Number.POSITIVE_INFINITY)) break;
          const antenna = storage.length > 0 ? (storage[Math.floor(random() * storage.length)] as number) : 1;
          tags.push({
            epcHex: encodeSgtin96(range.gtin14, range.companyPrefixDigits as number, serial),
            antenna,
          });
        }
      }
      fleet.readers.push({
        deviceId: device.id,
        siteCode: device.siteCode,
        format: /impinj/i.test(device.model ?? "") ? "impinj" : "zebra",
        storageAntennas: storage.length > 0 ? storage : [1],
        portal: outside !== undefined && inside !== undefined ? { outside, inside } : null,
        tags,
        eventNum: 0,
        readChance: 0.9,
        strayChance: 0.1,
        removalChance: options.removalChance,
        batchSize: 50,
      });
    }
  }
  return fleet;
}
