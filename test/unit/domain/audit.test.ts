import { describe, expect, it } from "vitest";
import { type AuditInput, compareAudit } from "../../../server/domain/audit.ts";

const EXPECTED: AuditInput["expectedTags"] = [
  { epc: "E200-0003", itemTypeCode: "VEST", units: 1 },
  { epc: "E200-0001", itemTypeCode: "VEST", units: 1 },
  { epc: "E200-0002", itemTypeCode: "RADIO", units: 1 },
];

describe("quantity audit", () => {
  it("is clean when every expected tag is seen and every count matches the book", () => {
    const findings = compareAudit({
      siteCode: "NX-C-N",
      expectedTags: EXPECTED,
      seenTags: EXPECTED,
      book: { VEST: 2, RADIO: 1, TENT: 12 },
      counted: { VEST: 2, RADIO: 1, TENT: 12 },
    });
    expect(findings).toEqual({
      missingTags: [],
      unexpectedTags: [],
      mismatches: [],
      proposedAdjustments: [],
      clean: true,
    });
  });

  it("reports a missing tag exactly even when a stray tag makes the count come out right", () => {
    // E200-0001 is gone and a vest not on the book (E200-0099) sits in its place: 2 vests counted,
    // 2 on the book, so only the tag check can see it.
    const findings = compareAudit({
      siteCode: "NX-C-N",
      expectedTags: EXPECTED,
      seenTags: [
        { epc: "E200-0099", itemTypeCode: "VEST", units: 1 },
        { epc: "E200-0003", itemTypeCode: "VEST", units: 1 },
        { epc: "E200-0002", itemTypeCode: "RADIO", units: 1 },
      ],
      book: { VEST: 2, RADIO: 1 },
      counted: { VEST: 2, RADIO: 1 },
    });
    expect(findings).toEqual({
      missingTags: [{ epc: "E200-0001", itemTypeCode: "VEST", units: 1 }],
      unexpectedTags: [{ epc: "E200-0099", itemTypeCode: "VEST", units: 1 }],
      mismatches: [],
      proposedAdjustments: [],
      clean: false,
    });
  });

  it("reports a tag the registry does not know as unexpected, sorted by epc", () => {
    const findings = compareAudit({
      siteCode: "NX-C-N",
      expectedTags: EXPECTED,
      // A tag read twice is one tag.
      seenTags: [
        ...EXPECTED,
        { epc: "FFFF-0001", itemTypeCode: null, units: 1 },
        { epc: "E200-0001", itemTypeCode: "VEST", units: 1 },
      ],
      book: {},
      counted: {},
    });
    expect(findings.unexpectedTags).toEqual([{ epc: "FFFF-0001", itemTypeCode: null, units: 1 }]);
    expect(findings.missingTags).toEqual([]);
    expect(findings.clean).toBe(false);
  });

  it("compares quantities only for item types counted in the window, signed counted - book", () => {
    const findings = compareAudit({
      siteCode: "NX-C-N",
      expectedTags: [],
      seenTags: [],
      // TENT and WATER were not counted: no shelf, no tag read. They are not written off.
      book: { VEST: 10, RADIO: 4, TENT: 12, WATER: 30, MASK: 6 },
      counted: { VEST: 8, RADIO: 4, MASK: 7, STRETCHER: 2 },
    });
    expect(findings.mismatches).toEqual([
      { itemTypeCode: "MASK", bookQty: 6, countedQty: 7, difference: 1 },
      { itemTypeCode: "STRETCHER", bookQty: 0, countedQty: 2, difference: 2 },
      { itemTypeCode: "VEST", bookQty: 10, countedQty: 8, difference: -2 },
    ]);
    expect(findings.proposedAdjustments).toEqual([
      { itemTypeCode: "MASK", quantity: 1 },
      { itemTypeCode: "STRETCHER", quantity: 2 },
      { itemTypeCode: "VEST", quantity: -2 },
    ]);
    expect(findings.clean).toBe(false);
  });

  it("orders missing tags by epc whatever the input order", () => {
    const findings = compareAudit({
      siteCode: "S",
      expectedTags: EXPECTED,
      seenTags: [],
      book: {},
      counted: {},
    });
    expect(findings.missingTags.map((t) => t.epc)).toEqual(["E200-0001", "E200-0002", "E200-0003"]);
  });
});
