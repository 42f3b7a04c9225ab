/** Stand-in for AWS DLM lifecycle policies (EBS snapshots); hand-written, no AWS reachable here. */
import type { Failure, Props } from "../framework";
import { hex, UNKNOWN } from "../framework";
import { arn, required, storedType } from "./shared";

/** DLM API CreateLifecyclePolicy: Description 1–500 and schedule Name 0–120 characters of [0-9A-Za-z _-]. */
const DLM_TEXT = /^[0-9A-Za-z _-]+$/;

export const lifecyclePolicy = storedType({
  token: "aws:dlm/lifecyclePolicy:LifecyclePolicy",
  kind: "dlm",
  // internal/service/dlm/lifecycle_policy.go: no ForceNew attributes besides region.
  replaceOn: {},
  computed: ["arn", "defaultPolicy", "state"],
  defaults: { state: "ENABLED" },
  check(p) {
    const failures: Failure[] = [];
    required(p, failures, "description", "executionRoleArn");
    const description = p.description;
    if (
      typeof description === "string" &&
      description !== UNKNOWN &&
      (!DLM_TEXT.test(description) || description.length > 500)
    ) {
      failures.push({
        property: "description",
        reason: `must be 1 to 500 characters of [0-9A-Za-z _-] (DLM API), got ${JSON.stringify(description)}`,
      });
    }
    const details = (p.policyDetails as Props | undefined) ?? {};
    ((details.schedules as Props[] | undefined) ?? []).forEach((sched, i) => {
      const name = sched.name;
      if (
        typeof name === "string" &&
        name !== UNKNOWN &&
        (!DLM_TEXT.test(name) || name.length > 120)
      ) {
        failures.push({
          property: `policyDetails.schedules[${i}].name`,
          reason: `must be at most 120 characters of [0-9A-Za-z _-] (DLM API), got ${JSON.stringify(name)}`,
        });
      }
      const rule = (sched.createRule as Props | undefined) ?? {};
      // lifecycle_policy.go: interval one of 1, 2, 3, 4, 6, 8, 12, 24; times at most one "hh:mm".
      if (
        typeof rule.interval === "number" &&
        ![1, 2, 3, 4, 6, 8, 12, 24].includes(rule.interval)
      ) {
        failures.push({
          property: `policyDetails.schedules[${i}].createRule.interval`,
          reason: `expected interval to be one of [1 2 3 4 6 8 12 24], got ${rule.interval}`,
        });
      }
      const times = rule.times;
      const list = typeof times === "string" ? [times] : Array.isArray(times) ? times : [];
      if (
        list.length > 1 ||
        list.some(
          (t) =>
            typeof t === "string" &&
            t !== UNKNOWN &&
            !/^(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$/.test(t),
        )
      ) {
        failures.push({
          property: `policyDetails.schedules[${i}].createRule.times`,
          reason: `must be one time of day "hh:mm" (UTC), got ${JSON.stringify(times)}`,
        });
      }
      const count = (sched.retainRule as Props | undefined)?.count;
      if (typeof count === "number" && (count < 1 || count > 1000)) {
        failures.push({
          property: `policyDetails.schedules[${i}].retainRule.count`,
          reason: `expected count to be in the range (1 - 1000), got ${count}`,
        });
      }
    });
    return failures;
  },
  make(p, _ctx, region) {
    const id = `policy-${hex(17)}`;
    return { id, outs: { arn: arn("dlm", region, `policy/${id}`), state: p.state ?? "ENABLED" } };
  },
});
