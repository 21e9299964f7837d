import { describe, expect, it } from "vitest";
import { mosquittoAcl } from "../../../server/security/mosquitto-acl.ts";

describe("the Mosquitto ACL generated from the registry", () => {
  it("lets each device write only its own data and status topics and read its own command topic", () => {
    const acl = mosquittoAcl(
      [
        { id: "NX-K01-SH1", siteCode: "NX-K01", kind: "shelf" },
        { id: "NX-C01-RD1", siteCode: "NX-C01", kind: "rfid" },
      ],
      "reserve-ingest",
    );
    const blocks = acl
      .split("\n\n")
      .map((b) => b.split("\n").filter((l) => l && !l.startsWith("#")))
      .filter((b) => b.length > 0);
    expect(blocks).toEqual([
      [
        "user reserve-ingest",
        "topic read sites/+/rfid/+",
        "topic read sites/+/shelf/+",
        "topic read sites/+/env/+",
        "topic read sites/+/status/+",
      ],
      [
        "user NX-K01-SH1",
        "topic write sites/NX-K01/shelf/NX-K01-SH1",
        "topic write sites/NX-K01/status/NX-K01-SH1",
        "topic read sites/NX-K01/cmd/NX-K01-SH1",
      ],
      [
        "user NX-C01-RD1",
        "topic write sites/NX-C01/rfid/NX-C01-RD1",
        "topic write sites/NX-C01/status/NX-C01-RD1",
        "topic read sites/NX-C01/cmd/NX-C01-RD1",
      ],
    ]);
  });
});
