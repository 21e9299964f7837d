import { describe, expect, it } from "vitest";
import {
  base64ToHex,
  decodeSgtin96,
  encodeSgtin96,
  gs1CheckDigit,
  normaliseEpcHex,
} from "../../../server/ingest/decoders/epc.ts";

function decoded(hex: string) {
  const result = decodeSgtin96(hex);
  if (!result.ok) throw new Error(`expected ${hex} to decode, got: ${result.reason}`);
  return result.sgtin;
}

describe("SGTIN-96 decoding (GS1 Tag Data Standard)", () => {
  it("decodes the TDS worked example field by field", () => {
    expect(decoded("3074257BF7194E4000001A85")).toEqual({
      epcHex: "3074257BF7194E4000001A85",
      filter: 3,
      partition: 5,
      companyPrefix: "0614141",
      itemReference: "812345",
      serial: "6789",
      gtin14: "80614141123458",
      tagUri: "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
      pureUri: "urn:epc:id:sgtin:0614141.812345.6789",
    });
  });

  it.each([
    ["3074257BF7194E4000001A85", "urn:epc:tag:sgtin-96:3.0614141.812345.6789", "80614141123458", "6789"],
    ["30C579D5D4ADB60000000000", "urn:epc:tag:sgtin-96:6.50712192365.88.0", "85071219236581", "0"],
    ["3036142C8C008F8000053244", "urn:epc:tag:sgtin-96:1.8719139.000574.340548", "08719139005740", "340548"],
    ["3034007D00011C400000000B", "urn:epc:tag:sgtin-96:1.0008000.001137.11", "00008000011378", "11"],
  ])("decodes the device-formats vector %s", (hex, tagUri, gtin14, serial) => {
    const sgtin = decoded(hex);
    expect(sgtin.tagUri).toBe(tagUri);
    expect(sgtin.gtin14).toBe(gtin14);
    expect(sgtin.serial).toBe(serial);
    expect(sgtin.pureUri).toBe(`urn:epc:id:sgtin:${tagUri.split(":")[4]?.split(".").slice(1).join(".")}`);
  });

  it("keeps leading zeros of company prefix and item reference", () => {
    const sgtin = decoded("3034007D00011C400000000B");
    expect(sgtin.companyPrefix).toBe("0008000");
    expect(sgtin.itemReference).toBe("001137");
    expect(sgtin.gtin14).toBe("00008000011378");
  });

  it("decodes an 11-digit prefix (partition 1) with its 2-digit item reference", () => {
    const sgtin = decoded("30C579D5D4ADB60000000000");
    expect([sgtin.filter, sgtin.partition, sgtin.companyPrefix, sgtin.itemReference]).toEqual([
      6,
      1,
      "50712192365",
      "88",
    ]);
  });

  it.each([
    [0, 12, 1],
    [1, 11, 2],
    [2, 10, 3],
    [3, 9, 4],
    [4, 8, 5],
    [5, 7, 6],
    [6, 6, 7],
  ])("accepts the largest values that fit partition %i (%i + %i digits)", (partition, cpDigits, irDigits) => {
    const cpBits = [40, 37, 34, 30, 27, 24, 20][partition] ?? 0;
    const company = 10n ** BigInt(cpDigits) - 1n;
    const item = 10n ** BigInt(irDigits) - 1n;
    const bits =
      (0x30n << 88n) |
      (2n << 85n) |
      (BigInt(partition) << 82n) |
      (company << BigInt(82 - cpBits)) |
      (item << 38n) |
      42n;
    const sgtin = decoded(bits.toString(16).padStart(24, "0"));
    expect(sgtin.partition).toBe(partition);
    expect(sgtin.companyPrefix).toBe("9".repeat(cpDigits));
    expect(sgtin.itemReference).toBe("9".repeat(irDigits));
    expect(sgtin.tagUri).toBe(`urn:epc:tag:sgtin-96:2.${"9".repeat(cpDigits)}.${"9".repeat(irDigits)}.42`);
    // 13 nines weigh 9 × (7 × 3 + 6 × 1) = 243, so the check digit is 7.
    expect(sgtin.gtin14).toBe("99999999999997");
  });

  it("accepts lower case and reports the EPC in upper case", () => {
    const sgtin = decoded("3074257bf7194e4000001a85");
    expect(sgtin.epcHex).toBe("3074257BF7194E4000001A85");
    expect(sgtin.tagUri).toBe("urn:epc:tag:sgtin-96:3.0614141.812345.6789");
  });

  it("reads the full 38-bit serial without losing precision", () => {
    // Serial bits all ones: 2^38 - 1 = 274877906943, beyond 32-bit arithmetic.
    const sgtin = decoded("3074257BF7194E7FFFFFFFFF");
    expect(sgtin.serial).toBe("274877906943");
  });

  it.each([
    ["a TID (header 0xE2)", "E2801190A5021F80055817CA", /header 0xE2 is not the SGTIN-96 header 0x30/],
    ["partition 7", "301C257BF7194E4000001A85", /partition 7/],
    [
      "a company prefix too big for its digits",
      "3037FFFFFC00000000000001",
      /company prefix 16777215 does not fit the 7 digits/,
    ],
    [
      "an item reference too big for its digits",
      "3034257BF7FFFFC000000001",
      /item reference 1048575 does not fit the 6 digits/,
    ],
    [
      "a 1-digit item reference of 12 (partition 0)",
      "30600000257BF70000000001",
      /item reference 12 does not fit/,
    ],
    ["23 hex digits", "3074257BF7194E4000001A8", /exactly 24 hex digits/],
    ["25 hex digits", "3074257BF7194E4000001A850", /exactly 24 hex digits/],
    ["a 128-bit EPC", "3074257BF7194E4000001A8500000000", /exactly 24 hex digits/],
    ["a non-hex character", "3074257BF7194E4000001A8G", /exactly 24 hex digits/],
    ["surrounding spaces", " 3074257BF7194E4000001A85", /exactly 24 hex digits/],
    ["an empty string", "", /exactly 24 hex digits/],
  ])("rejects %s with a reason", (_label, hex, reason) => {
    const result = decodeSgtin96(hex);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe("SGTIN-96 encoding (for simulators and fixtures)", () => {
  it.each([
    ["80614141123458", 7, 6789, 3, "3074257BF7194E4000001A85"],
    ["85071219236581", 11, 0, 6, "30C579D5D4ADB60000000000"],
    ["08719139005740", 7, 340548, 1, "3036142C8C008F8000053244"],
    ["00008000011378", 7, 11, 1, "3034007D00011C400000000B"],
  ])(
    "encodes GTIN %s (prefix %i digits) serial %i filter %i as the vector %s",
    (gtin14, digits, serial, filter, hex) => {
      expect(encodeSgtin96(gtin14, digits, serial, filter)).toBe(hex);
    },
  );

  it("uses filter 1 by default and round-trips through the decoder", () => {
    const hex = encodeSgtin96("08719139005740", 7, 2 ** 38 - 1);
    const sgtin = decoded(hex);
    expect([sgtin.filter, sgtin.gtin14, sgtin.serial]).toEqual([1, "08719139005740", "274877906943"]);
  });

  it.each([
    ["a 13-digit GTIN", () => encodeSgtin96("8061414112345", 7, 1), /14 digits/],
    ["a wrong check digit", () => encodeSgtin96("80614141123459", 7, 1), /wrong check digit/],
    ["a 5-digit prefix", () => encodeSgtin96("80614141123458", 5, 1), /6 to 12 digits, not 5/],
    ["a serial beyond 38 bits", () => encodeSgtin96("80614141123458", 7, 2 ** 38), /38 bits/],
    ["a negative serial", () => encodeSgtin96("80614141123458", 7, -1), /38 bits/],
    ["filter 8", () => encodeSgtin96("80614141123458", 7, 1, 8), /filter 8/],
  ])("refuses %s", (_label, encode, reason) => {
    expect(encode).toThrow(RangeError);
    expect(encode).toThrow(reason);
  });
});

describe("GS1 mod-10 check digit", () => {
  it.each([
    ["8061414112345", "8"],
    ["0871913900574", "0"],
    ["0000800001137", "8"],
    ["8507121923658", "1"],
    ["0000000000000", "0"],
  ])("%s gets check digit %s", (digits, check) => {
    expect(gs1CheckDigit(digits)).toBe(check);
  });
});

describe("EPC hex normalisation", () => {
  it("trims and upper-cases", () => {
    expect(normaliseEpcHex("  3074257bf7194e4000001a85\n")).toBe("3074257BF7194E4000001A85");
  });

  it("accepts 8 and 124 hex digits, the shortest and longest EPCs kept", () => {
    expect(normaliseEpcHex("e2801190")).toBe("E2801190");
    expect(normaliseEpcHex("A".repeat(124))).toBe("A".repeat(124));
  });

  it.each([
    ["too short", "E28011"],
    ["too long", "A".repeat(126)],
    ["odd length", "E2801190A"],
    ["separators", "30:74:25:7B:F7:19"],
    ["inner spaces", "3074 257B F719"],
    ["non-hex", "3074257BF7194E4000001A8Z"],
    ["empty", ""],
  ])("returns null for %s", (_label, value) => {
    expect(normaliseEpcHex(value)).toBeNull();
  });
});

describe("base64 EPCs", () => {
  it("decodes the Impinj sample epc to its epcHex", () => {
    expect(base64ToHex("MHQle/cZTkAAABqF")).toBe("3074257BF7194E4000001A85");
  });

  it("accepts padded, unpadded and URL-safe forms", () => {
    expect(base64ToHex("4oARkA==")).toBe("E2801190");
    expect(base64ToHex("4oARkA")).toBe("E2801190");
    expect(base64ToHex("MHQle_cZTkAAABqF")).toBe("3074257BF7194E4000001A85");
  });

  it.each([
    ["an illegal character", "MHQle/cZ*kAAABqF"],
    ["an inner space", "MHQle/cZ TkAAABqF"],
    ["an impossible length", "MHQle"],
    ["wrong padding", "4oARkA="],
    ["non-canonical trailing bits", "4oARkB=="],
    ["an empty string", ""],
  ])("returns null for %s", (_label, value) => {
    expect(base64ToHex(value)).toBeNull();
  });
});
