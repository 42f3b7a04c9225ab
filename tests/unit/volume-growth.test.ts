// Growing an EBS volume reaches NTFS, under Pulumi mocks: the settings association's text carries the
// volumes' sizes (a change re-runs it on the running host) and extends both partitions. The script's
// lines themselves are pinned in user-data.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseArgs, runPool } from "../helpers/pool-harness";
import type { PlannedResource } from "../../tools/offline-plan";

const byName = (plan: { resources: PlannedResource[] }, name: string): PlannedResource => {
  const r = plan.resources.find((x) => x.name === name);
  assert.ok(r, `no resource ${name}`);
  return r;
};
const short = (urns: string[]): string[] => urns.map((u) => u.split("::").pop() as string).sort();

test("a grown data or root volume reaches NTFS: the settings association's text carries both sizes and extends both partitions", async () => {
  const commandsFor = async (aws: { dataVolumeGiB?: number; rootVolumeGiB?: number }) => {
    const plan = await runPool(baseArgs({ hosts: [{ hostname: "msgw1.example.com" }], aws }));
    const association = byName(plan, "pool-msgw1-settings");
    // The association follows the volume's update (its size is an output of the volume).
    assert.ok(short(association.dependencies).includes("pool-msgw1-data"));
    const volume = byName(plan, "pool-msgw1-data");
    return {
      volumeSize: volume.inputs.size,
      commands: (association.inputs.parameters as Record<string, string>).commands.split("\n"),
      userData: String(byName(plan, "pool-msgw1").inputs.userData),
    };
  };
  const before = await commandsFor({});
  const grown = await commandsFor({ dataVolumeGiB: 150 });
  const root = await commandsFor({ rootVolumeGiB: 80 });
  assert.equal(before.volumeSize, 100);
  assert.equal(grown.volumeSize, 150);
  const changed = (a: string[], b: string[]) =>
    a.flatMap((l, i) => (l === b[i] ? [] : [[l, b[i]]]));
  assert.equal(before.commands.length, grown.commands.length);
  const id = /data (\S+) 100 GiB/.exec(before.commands.join("\n"))?.[1];
  assert.ok(id, before.commands.join("\n"));
  // Only the sizes line changes: the association's parameters change, so it runs again on the host.
  assert.deepEqual(changed(before.commands, grown.commands), [
    [
      `# Volume sizes: root 60 GiB, data ${id} 100 GiB`,
      `# Volume sizes: root 60 GiB, data ${id} 150 GiB`,
    ],
  ]);
  assert.deepEqual(changed(before.commands, root.commands), [
    [
      `# Volume sizes: root 60 GiB, data ${id} 100 GiB`,
      `# Volume sizes: root 80 GiB, data ${id} 100 GiB`,
    ],
  ]);
  for (const text of [before.commands.join("\n"), before.userData])
    assert.deepEqual(
      text
        .split("\n")
        .filter((l) => /Expand-ToDisk \(/.test(l))
        .map((l) => l.trim()),
      [
        "Expand-ToDisk (Get-Partition -DriveLetter C)",
        "Expand-ToDisk (Get-Partition -DiskNumber $dataDisk.Number | Where-Object { $_.Type -eq 'Basic' } | Select-Object -First 1)",
      ],
    );
});
