// biome-ignore-all format: tabular demo data reads better one record per line
/**
 * The demo reserve network: Ningxia, from shared/docs/domain.md. Coordinates are approximate public
 * figures; stock quantities and dates are invented. Everything loaded from here is marked demo.
 */
import type { SiteTier } from "../schema.ts";

export const DEMO_NOTICE =
  "DEMO DATA: Ningxia reserve network with approximate coordinates and invented stock, for trying the platform";

export interface DemoSite {
  code: string;
  name: string;
  nameZh: string;
  tier: SiteTier;
  parentCode: string | null;
  city: string | null;
  lat: number;
  lon: number;
  leadTimeHours?: number;
  suppliesCategories?: string[];
}

export const CATEGORIES = [
  { code: "PROTECT", name: "Individual protection", nameZh: "单警防护", sortOrder: 1 },
  { code: "COMMS", name: "Communication and lighting", nameZh: "通信照明", sortOrder: 2 },
  { code: "FIELD", name: "Field living", nameZh: "野外生活", sortOrder: 3 },
  { code: "MEDICAL", name: "Medical and rescue", nameZh: "医疗救援", sortOrder: 4 },
  { code: "POWER", name: "Power and mobility", nameZh: "动力保障", sortOrder: 5 },
] as const;

const YEAR = 365;

/** Storage conditions most supplies tolerate in an unheated depot. */
const AMBIENT = { storageMinTempC: -20, storageMaxTempC: 40, storageMaxRhPct: 80 };

interface DemoItemType {
  code: string;
  categoryCode: (typeof CATEGORIES)[number]["code"];
  name: string;
  nameZh: string;
  unit: string;
  unitWeightKg: number;
  lifecycle: "expiring" | "durable";
  shelfLifeDays: number | null;
  serviceLifeDays: number | null;
  inspectionIntervalDays: number | null;
  maintenanceIntervalDays: number | null;
  storageMinTempC: number | null;
  storageMaxTempC: number | null;
  storageMaxRhPct: number | null;
  rotationTriggerShare: number | null;
  rotationTriggerDays: number | null;
  rotationCycleDays: number | null;
  rotationProportion: number | null;
  kitQtyPerPerson: number;
  unitsPerTag: number;
}

const durable = (serviceYears: number, inspectionDays: number, maintenanceDays: number | null = null) => ({
  lifecycle: "durable" as const,
  shelfLifeDays: null,
  serviceLifeDays: serviceYears * YEAR,
  inspectionIntervalDays: inspectionDays,
  maintenanceIntervalDays: maintenanceDays,
  rotationTriggerShare: null,
  rotationTriggerDays: null,
  rotationCycleDays: null,
  rotationProportion: null,
});

/** Expiring stock: rotate when a quarter of the life (or the given days) remains, each cycle a share. */
const expiring = (shelfLifeDays: number, triggerDays: number, cycleDays: number, proportion: number) => ({
  lifecycle: "expiring" as const,
  shelfLifeDays,
  serviceLifeDays: null,
  inspectionIntervalDays: null,
  maintenanceIntervalDays: null,
  rotationTriggerShare: 0.25,
  rotationTriggerDays: triggerDays,
  rotationCycleDays: cycleDays,
  rotationProportion: proportion,
});

/** 5 categories, 17 types (domain.md's suggested catalogue). */
export const ITEM_TYPES: DemoItemType[] = [
  { code: "HELMET", categoryCode: "PROTECT", name: "Riot helmet", nameZh: "防暴头盔", unit: "piece", unitWeightKg: 1.5, ...durable(8, 365), ...AMBIENT, kitQtyPerPerson: 1, unitsPerTag: 1 },
  { code: "VEST", categoryCode: "PROTECT", name: "Stab-resistant vest", nameZh: "防刺背心", unit: "piece", unitWeightKg: 2.8, ...durable(5, 365), ...AMBIENT, kitQtyPerPerson: 1, unitsPerTag: 1 },
  { code: "SHIELD", categoryCode: "PROTECT", name: "Riot shield", nameZh: "防暴盾牌", unit: "piece", unitWeightKg: 4.5, ...durable(8, 365), ...AMBIENT, kitQtyPerPerson: 0.5, unitsPerTag: 1 },
  { code: "GASMASK", categoryCode: "PROTECT", name: "Gas mask with filter", nameZh: "防毒面具", unit: "piece", unitWeightKg: 0.9, ...expiring(5 * YEAR, 180, 180, 0.2), storageMinTempC: -10, storageMaxTempC: 35, storageMaxRhPct: 75, kitQtyPerPerson: 1, unitsPerTag: 1 },
  { code: "RADIO", categoryCode: "COMMS", name: "Handheld digital radio", nameZh: "手持数字对讲机", unit: "piece", unitWeightKg: 0.4, ...durable(6, 180), storageMinTempC: -20, storageMaxTempC: 45, storageMaxRhPct: 80, kitQtyPerPerson: 0.25, unitsPerTag: 1 },
  { code: "BATTERY", categoryCode: "COMMS", name: "Spare battery pack", nameZh: "备用电池组", unit: "piece", unitWeightKg: 0.3, ...expiring(3 * YEAR, 120, 90, 0.25), storageMinTempC: 0, storageMaxTempC: 30, storageMaxRhPct: 75, kitQtyPerPerson: 0.5, unitsPerTag: 1 },
  { code: "FLOODLIGHT", categoryCode: "COMMS", name: "Portable floodlight", nameZh: "移动照明灯", unit: "set", unitWeightKg: 6, ...durable(8, 180), ...AMBIENT, kitQtyPerPerson: 0.02, unitsPerTag: 1 },
  { code: "SATPHONE", categoryCode: "COMMS", name: "Satellite phone", nameZh: "卫星电话", unit: "piece", unitWeightKg: 0.5, ...durable(6, 90), storageMinTempC: -10, storageMaxTempC: 40, storageMaxRhPct: 75, kitQtyPerPerson: 0.01, unitsPerTag: 1 },
  { code: "TENT", categoryCode: "FIELD", name: "Tent (10-person)", nameZh: "帐篷", unit: "piece", unitWeightKg: 25, ...durable(8, 365), ...AMBIENT, kitQtyPerPerson: 0.1, unitsPerTag: 1 },
  { code: "SLEEPBAG", categoryCode: "FIELD", name: "Sleeping bag", nameZh: "睡袋", unit: "piece", unitWeightKg: 2, ...durable(6, 365), ...AMBIENT, kitQtyPerPerson: 1, unitsPerTag: 1 },
  { code: "WATER", categoryCode: "FIELD", name: "Bottled drinking water", nameZh: "瓶装饮用水", unit: "case", unitWeightKg: 12.5, ...expiring(540, 90, 90, 0.25), storageMinTempC: 0, storageMaxTempC: 35, storageMaxRhPct: 85, kitQtyPerPerson: 1, unitsPerTag: 1 },
  { code: "RATION", categoryCode: "FIELD", name: "Ready-to-eat ration", nameZh: "自热食品", unit: "case", unitWeightKg: 8, ...expiring(3 * YEAR, 120, 90, 0.25), storageMinTempC: -10, storageMaxTempC: 35, storageMaxRhPct: 75, kitQtyPerPerson: 1, unitsPerTag: 1 },
  { code: "FIRSTAID", categoryCode: "MEDICAL", name: "First-aid kit", nameZh: "急救包", unit: "kit", unitWeightKg: 1.2, ...expiring(3 * YEAR, 120, 90, 0.25), storageMinTempC: 0, storageMaxTempC: 30, storageMaxRhPct: 70, kitQtyPerPerson: 0.1, unitsPerTag: 1 },
  { code: "MEDKIT", categoryCode: "MEDICAL", name: "Medicine kit", nameZh: "药品箱", unit: "kit", unitWeightKg: 3, ...expiring(2 * YEAR, 90, 90, 0.25), storageMinTempC: 2, storageMaxTempC: 25, storageMaxRhPct: 65, kitQtyPerPerson: 0.02, unitsPerTag: 1 },
  { code: "STRETCHER", categoryCode: "MEDICAL", name: "Folding stretcher", nameZh: "折叠担架", unit: "piece", unitWeightKg: 7, ...durable(10, 365), ...AMBIENT, kitQtyPerPerson: 0.02, unitsPerTag: 1 },
  { code: "GENERATOR", categoryCode: "POWER", name: "Portable generator", nameZh: "便携式发电机", unit: "set", unitWeightKg: 45, ...durable(10, 90, 180), ...AMBIENT, kitQtyPerPerson: 0.01, unitsPerTag: 1 },
  { code: "FUELCAN", categoryCode: "POWER", name: "Fuel can (20 L)", nameZh: "油桶", unit: "can", unitWeightKg: 17, ...expiring(YEAR, 60, 90, 0.5), storageMinTempC: -30, storageMaxTempC: 35, storageMaxRhPct: 90, kitQtyPerPerson: 0.05, unitsPerTag: 1 },
];

/**
 * Allocation standard per tier (配备标准): required quantity; the minimum is 60 % of it.
 * Agreement and external sites have none: they hold what their contracts say.
 */
export const REQUIRED_BY_TIER: Partial<Record<SiteTier, Record<string, number>>> = {
  central: {
    HELMET: 400, VEST: 400, SHIELD: 200, GASMASK: 400, RADIO: 100, BATTERY: 200, FLOODLIGHT: 20, SATPHONE: 10,
    TENT: 60, SLEEPBAG: 400, WATER: 600, RATION: 600, FIRSTAID: 60, MEDKIT: 20, STRETCHER: 20, GENERATOR: 10, FUELCAN: 40,
  },
  branch: {
    HELMET: 200, VEST: 200, SHIELD: 100, GASMASK: 200, RADIO: 50, BATTERY: 100, FLOODLIGHT: 10, SATPHONE: 4,
    TENT: 30, SLEEPBAG: 200, WATER: 300, RATION: 300, FIRSTAID: 30, MEDKIT: 10, STRETCHER: 10, GENERATOR: 5, FUELCAN: 20,
  },
  county: {
    HELMET: 60, VEST: 60, SHIELD: 30, GASMASK: 60, RADIO: 15, BATTERY: 30, FLOODLIGHT: 4, SATPHONE: 1,
    TENT: 8, SLEEPBAG: 60, WATER: 80, RATION: 80, FIRSTAID: 10, MEDKIT: 3, STRETCHER: 3, GENERATOR: 2, FUELCAN: 6,
  },
  station: {
    HELMET: 20, VEST: 20, SHIELD: 10, GASMASK: 20, RADIO: 10, BATTERY: 20, FLOODLIGHT: 2,
    TENT: 2, SLEEPBAG: 10, WATER: 20, RATION: 20, FIRSTAID: 5, MEDKIT: 1, STRETCHER: 1, FUELCAN: 2,
  },
};

export const MIN_SHARE_OF_REQUIRED = 0.6;

/**
 * Units a site uses up per rotation cycle in daily use (training, patrols, duty meals): station
 * rooms and county depots consume these, so near-expiry stock is sent to them.
 */
export const DAILY_USE_BY_TIER: Partial<Record<SiteTier, Record<string, number>>> = {
  station: { WATER: 10, RATION: 8, BATTERY: 6, FIRSTAID: 2, FUELCAN: 1, GASMASK: 1 },
  county: { WATER: 5, RATION: 4, BATTERY: 4, FIRSTAID: 1 },
};

/** What agreement reserves and external depots hold (quantities), by site code. */
export const CONTRACT_STOCK: Record<string, Record<string, number>> = {
  "NX-A01": { WATER: 3000, RATION: 2500 },
  "NX-A02": { FIRSTAID: 400, MEDKIT: 150 },
  "NX-A03": { FUELCAN: 600, GENERATOR: 20 },
  "EXT-LZ": {
    HELMET: 1500, VEST: 1500, SHIELD: 800, GASMASK: 1500, RADIO: 400, BATTERY: 800, FLOODLIGHT: 60, SATPHONE: 30,
    TENT: 200, SLEEPBAG: 1500, WATER: 3000, RATION: 3000, FIRSTAID: 200, MEDKIT: 60, STRETCHER: 60, GENERATOR: 30, FUELCAN: 150,
  },
  "EXT-XA": { HELMET: 600, VEST: 600, SHIELD: 300, SLEEPBAG: 600, WATER: 1200, RATION: 1200, TENT: 80, FIRSTAID: 100 },
  "EXT-XN": { HELMET: 400, VEST: 400, SLEEPBAG: 400, WATER: 800, RATION: 800, TENT: 50, FIRSTAID: 60 },
};

/**
 * The item type each site's demo weight shelf carries: first-aid kits, light enough for one shelf to
 * hold a site's whole stock of them, except where a contract site holds none.
 */
export const DEFAULT_SHELF_ITEM = "FIRSTAID";
export const SHELF_ITEM_BY_SITE: Record<string, string> = { "NX-A01": "RATION", "NX-A03": "FUELCAN" };

/**
 * Rated capacities (kg) load-cell shelves and platform scales are sold in, from a shelf level of a
 * heavy-duty rack to a pallet floor scale. A demo shelf gets the smallest that carries its opening
 * stock with a quarter to spare (the contract depots' rations and fuel stand on floor scales).
 */
export const DEMO_SHELF_CAPACITIES_KG = [300, 600, 1500, 3000, 6000, 15_000, 30_000, 60_000] as const;

const CENTRAL: DemoSite[] = [
  { code: "NX-C01", name: "North Central Reserve Depot (Yinchuan)", nameZh: "自治区应急物资储备中心库（北库·银川）", tier: "central", parentCode: null, city: "Yinchuan", lat: 38.487, lon: 106.231 },
  { code: "NX-C02", name: "South Central Reserve Depot (Guyuan)", nameZh: "自治区应急物资储备中心库（南库·固原）", tier: "central", parentCode: null, city: "Guyuan", lat: 36.016, lon: 106.242 },
];

const BRANCH: DemoSite[] = [
  { code: "NX-B01", name: "Yinchuan Branch Depot", nameZh: "银川市分库", tier: "branch", parentCode: "NX-C01", city: "Yinchuan", lat: 38.43, lon: 106.3 },
  { code: "NX-B02", name: "Shizuishan Branch Depot", nameZh: "石嘴山市分库", tier: "branch", parentCode: "NX-C01", city: "Shizuishan", lat: 39.013, lon: 106.384 },
  { code: "NX-B03", name: "Wuzhong Branch Depot", nameZh: "吴忠市分库", tier: "branch", parentCode: "NX-C01", city: "Wuzhong", lat: 37.998, lon: 106.199 },
  { code: "NX-B04", name: "Zhongwei Branch Depot", nameZh: "中卫市分库", tier: "branch", parentCode: "NX-C02", city: "Zhongwei", lat: 37.5, lon: 105.196 },
];

/** County seats and the city each belongs to; Guyuan's counties hang under the south central depot. */
const COUNTIES: Array<[code: string, name: string, nameZh: string, city: string, lat: number, lon: number]> = [
  ["YONGNING", "Yongning", "永宁县", "Yinchuan", 38.277, 106.253],
  ["HELAN", "Helan", "贺兰县", "Yinchuan", 38.554, 106.35],
  ["LINGWU", "Lingwu", "灵武市", "Yinchuan", 38.103, 106.34],
  ["XINGQING", "Xingqing", "兴庆区", "Yinchuan", 38.467, 106.288],
  ["JINFENG", "Jinfeng", "金凤区", "Yinchuan", 38.473, 106.242],
  ["XIXIA", "Xixia", "西夏区", "Yinchuan", 38.492, 106.161],
  ["DAWUKOU", "Dawukou", "大武口区", "Shizuishan", 39.019, 106.377],
  ["HUINONG", "Huinong", "惠农区", "Shizuishan", 39.24, 106.776],
  ["PINGLUO", "Pingluo", "平罗县", "Shizuishan", 38.914, 106.545],
  ["LITONG", "Litong", "利通区", "Wuzhong", 37.985, 106.197],
  ["HONGSIBU", "Hongsibu", "红寺堡区", "Wuzhong", 37.422, 106.062],
  ["YANCHI", "Yanchi", "盐池县", "Wuzhong", 37.784, 107.406],
  ["TONGXIN", "Tongxin", "同心县", "Wuzhong", 36.982, 105.914],
  ["QINGTONGXIA", "Qingtongxia", "青铜峡市", "Wuzhong", 38.021, 106.075],
  ["YUANZHOU", "Yuanzhou", "原州区", "Guyuan", 36.005, 106.288],
  ["XIJI", "Xiji", "西吉县", "Guyuan", 35.965, 105.724],
  ["LONGDE", "Longde", "隆德县", "Guyuan", 35.625, 106.111],
  ["JINGYUAN", "Jingyuan", "泾源县", "Guyuan", 35.498, 106.339],
  ["PENGYANG", "Pengyang", "彭阳县", "Guyuan", 35.85, 106.641],
  ["SHAPOTOU", "Shapotou", "沙坡头区", "Zhongwei", 37.511, 105.19],
  ["ZHONGNING", "Zhongning", "中宁县", "Zhongwei", 37.491, 105.685],
  ["HAIYUAN", "Haiyuan", "海原县", "Zhongwei", 36.565, 105.647],
];

const BRANCH_OF_CITY: Record<string, string> = {
  Yinchuan: "NX-B01",
  Shizuishan: "NX-B02",
  Wuzhong: "NX-B03",
  Guyuan: "NX-C02",
  Zhongwei: "NX-B04",
};

const COUNTY_SITES: DemoSite[] = COUNTIES.map(([, name, nameZh, city, lat, lon], index) => ({
  code: `NX-K${String(index + 1).padStart(2, "0")}`,
  name: `${name} County Depot`,
  nameZh: `${nameZh}应急库`,
  tier: "county",
  parentCode: BRANCH_OF_CITY[city] ?? null,
  city,
  lat,
  lon,
}));

/** One police station equipment room per county, a few km from the seat, plus two special teams. */
const STATION_SITES: DemoSite[] = [
  ...COUNTIES.map(([, name, nameZh, city, lat, lon], index): DemoSite => ({
    code: `NX-S${String(index + 1).padStart(2, "0")}`,
    name: `${name} Police Station Equipment Room`,
    nameZh: `${nameZh}城关派出所装备室`,
    tier: "station",
    parentCode: `NX-K${String(index + 1).padStart(2, "0")}`,
    city,
    lat: Math.round((lat + 0.018 * (index % 2 === 0 ? 1 : -1)) * 1000) / 1000,
    lon: Math.round((lon + 0.022) * 1000) / 1000,
  })),
  { code: "NX-S23", name: "Yinchuan Special Police Team Equipment Room", nameZh: "银川市特警支队装备室", tier: "station", parentCode: "NX-B01", city: "Yinchuan", lat: 38.51, lon: 106.205 },
  { code: "NX-S24", name: "Guyuan Special Police Team Equipment Room", nameZh: "固原市特警支队装备室", tier: "station", parentCode: "NX-C02", city: "Guyuan", lat: 36.04, lon: 106.27 },
];

const AGREEMENT_SITES: DemoSite[] = [
  { code: "NX-A01", name: "Yinchuan Grain and Food Supply Co. (agreement reserve: food)", nameZh: "银川粮油食品公司代储点", tier: "agreement", parentCode: null, city: "Yinchuan", lat: 38.445, lon: 106.275, leadTimeHours: 4, suppliesCategories: ["FIELD"] },
  { code: "NX-A02", name: "Ningxia Pharmaceutical Logistics Co. (agreement reserve: medicine)", nameZh: "宁夏医药物流公司代储点", tier: "agreement", parentCode: null, city: "Yinchuan", lat: 38.5, lon: 106.19, leadTimeHours: 3, suppliesCategories: ["MEDICAL"] },
  { code: "NX-A03", name: "Wuzhong Petroleum Depot (agreement reserve: fuel)", nameZh: "吴忠石油储运公司代储点", tier: "agreement", parentCode: null, city: "Wuzhong", lat: 37.95, lon: 106.245, leadTimeHours: 2, suppliesCategories: ["POWER"] },
];

const EXTERNAL_SITES: DemoSite[] = [
  { code: "EXT-LZ", name: "Ministry Northwest Regional Depot (Lanzhou)", nameZh: "公安部西北大区库（兰州）", tier: "external", parentCode: null, city: "Lanzhou", lat: 36.061, lon: 103.834, leadTimeHours: 12, suppliesCategories: ["PROTECT", "COMMS", "FIELD", "MEDICAL", "POWER"] },
  { code: "EXT-XA", name: "Shaanxi Provincial Reserve (Xi'an, mutual aid)", nameZh: "陕西省公安应急储备库（西安）", tier: "external", parentCode: null, city: "Xi'an", lat: 34.341, lon: 108.94, leadTimeHours: 16, suppliesCategories: ["PROTECT", "FIELD"] },
  { code: "EXT-XN", name: "Qinghai Provincial Reserve (Xining, mutual aid)", nameZh: "青海省公安应急储备库（西宁）", tier: "external", parentCode: null, city: "Xining", lat: 36.617, lon: 101.778, leadTimeHours: 18, suppliesCategories: ["PROTECT", "FIELD"] },
];

export const DEMO_SITES: DemoSite[] = [
  ...CENTRAL,
  ...BRANCH,
  ...COUNTY_SITES,
  ...STATION_SITES,
  ...AGREEMENT_SITES,
  ...EXTERNAL_SITES,
];

/**
 * RFID at the central and branch depots: one reader each (Zebra or Impinj), two storage aisles and
 * a dock portal, and the handheld radios there tagged with SGTIN-96 tags.
 */
export const RFID_SITES: Array<{ siteCode: string; model: string }> = [
  { siteCode: "NX-C01", model: "Zebra FX9600 (demo)" },
  { siteCode: "NX-C02", model: "Impinj R700 (demo)" },
  { siteCode: "NX-B01", model: "Zebra FX7500 (demo)" },
  { siteCode: "NX-B02", model: "Impinj R700 (demo)" },
  { siteCode: "NX-B03", model: "Zebra FX9600 (demo)" },
  { siteCode: "NX-B04", model: "Impinj R720 (demo)" },
];

export const DEMO_ANTENNAS = [
  { antenna: 1, role: "storage", zone: "Aisle A" },
  { antenna: 2, role: "storage", zone: "Aisle B" },
  { antenna: 3, role: "portal-outside", zone: "Dock 1" },
  { antenna: 4, role: "portal-inside", zone: "Dock 1" },
] as const;

/** A made-up GS1 company prefix (7 digits, China's 690-699 range) for the demo's tags. */
export const DEMO_COMPANY_PREFIX = "6923450";
/** Tagged item types and their item references (indicator digit first). */
export const TAGGED_ITEMS: Record<string, string> = { RADIO: "000010" };
