/**
 * Test helpers: a stand-in provider object on a temporary fake cloud, driven the way the engine drives it
 * (check → create, check → diff → update, read, delete), without starting a plugin process.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as provider from "@pulumi/pulumi/provider";
import { Cloud, type Severity, type StandInSettings } from "./context";
import { buildProvider, withoutDefaults, type StandInPackage } from "./framework";

type Props = Record<string, unknown>;

/** A provider on its own fake cloud. */
export interface TestProvider {
  provider: provider.Provider;
  cloud: Cloud;
  settings: StandInSettings;
  logs: { urn: string; severity: Severity; message: string }[];
  /** The provider configuration (what Configure would carry; settable). */
  config: Record<string, unknown>;
  /** The clock the provider sees (settable). */
  clock: { now: Date };
  urn(type: string, name: string): string;
  /** check then create; throws the check failures as one error. */
  create(
    type: string,
    name: string,
    inputs: Props,
  ): Promise<{ id: string; urn: string; inputs: Props; outs: Props }>;
  /** check (with the old inputs for auto-names) then diff against the old state. */
  diff(
    res: { id: string; urn: string; inputs: Props; outs: Props },
    news: Props,
  ): Promise<{
    changes?: boolean;
    replaces: string[];
    deleteBeforeReplace?: boolean;
    inputs: Props;
  }>;
  cleanup(): void;
}

/** The exact message of an error, with AWS request ids blanked (they are derived, not fixed). */
export function errorText(e: unknown): string {
  return (e as Error).message.replace(/RequestID: [0-9a-f-]{36}/, "RequestID: <id>");
}

/** A provider for `pkg` on a fresh temporary cloud directory. */
export function testProvider(
  pkg: StandInPackage,
  settings: StandInSettings = {},
  cloudDir?: string,
): TestProvider {
  const dir = cloudDir ?? mkdtempSync(join(tmpdir(), "pv-cloud-"));
  const cloud = new Cloud(dir);
  const logs: TestProvider["logs"] = [];
  const clock = { now: new Date("2026-11-29T10:00:00Z") };
  const config: Record<string, unknown> = {};
  const p = buildProvider(pkg, (urn) => ({
    urn,
    config,
    cloud,
    settings,
    now: () => clock.now,
    log: (severity, message) => logs.push({ urn, severity, message }),
  }));
  const urn = (type: string, name: string) => `urn:pulumi:test::msgw::${type}::${name}`;
  return {
    provider: p,
    cloud,
    settings,
    logs,
    clock,
    config,
    urn,
    async create(type, name, inputs) {
      const u = urn(type, name);
      const checked = await (p.check as NonNullable<provider.Provider["check"]>)(u, {}, inputs);
      if (checked.failures?.length) {
        throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"));
      }
      const created = await (p.create as NonNullable<provider.Provider["create"]>)(
        u,
        checked.inputs,
      );
      return {
        id: created.id,
        urn: u,
        inputs: checked.inputs as Props,
        outs: created.outs as Props,
      };
    },
    async diff(res, news) {
      const checked = await (p.check as NonNullable<provider.Provider["check"]>)(
        res.urn,
        res.inputs,
        news,
      );
      if (checked.failures?.length) {
        throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"));
      }
      const d = await (p.diff as NonNullable<provider.Provider["diff"]>)(
        res.id,
        res.urn,
        res.outs,
        checked.inputs,
      );
      return {
        changes: d.changes,
        replaces: [...(d.replaces ?? [])].sort(),
        deleteBeforeReplace: d.deleteBeforeReplace,
        inputs: checked.inputs as Props,
      };
    },
    cleanup() {
      if (!cloudDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** check only: the failures as `property: reason` lines. */
export async function checkFailures(
  t: TestProvider,
  type: string,
  inputs: Props,
): Promise<string[]> {
  const r = await (t.provider.check as NonNullable<provider.Provider["check"]>)(
    t.urn(type, "x"),
    {},
    inputs,
  );
  return (r.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
}

/**
 * Refresh sees no drift: `read` of a just-created resource returns its state and the inputs it was created
 * with (the engine compares both on `pulumi refresh`).
 */
export async function readMatches(
  t: TestProvider,
  res: { id: string; urn: string; inputs: Props; outs: Props },
): Promise<void> {
  const read = await (t.provider.read as NonNullable<provider.Provider["read"]>)(
    res.id,
    res.urn,
    res.outs,
  );
  assert.equal(read.id, res.id);
  assert.deepEqual(read.props, res.outs, `${res.urn}: state read back unchanged`);
  if (read.inputs !== undefined)
    assert.deepEqual(
      read.inputs,
      withoutDefaults(res.inputs),
      `${res.urn}: inputs read back unchanged`,
    );
}
