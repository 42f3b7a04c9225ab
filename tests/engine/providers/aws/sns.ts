/** Stand-in for AWS SNS topics; hand-written, no AWS is reachable here. */
import type { Failure } from "../framework";
import { UNKNOWN } from "../framework";
import { ACCOUNT_ID, arn, forceNew, storedType } from "./shared";

export const topic = storedType({
  token: "aws:sns/topic:Topic",
  kind: "topic",
  // internal/service/sns/topic.go: name, name_prefix, fifo_topic ForceNew.
  replaceOn: forceNew("sns/topic.go", ["name", "namePrefix", "fifoTopic"]),
  computed: ["arn", "owner", "beginningArchiveTime", "namePrefix"],
  autoName: { property: "name", maxLength: 256 },
  check(p) {
    const failures: Failure[] = [];
    const name = p.name;
    // SNS API CreateTopic: up to 256 characters of [A-Za-z0-9_-] (FIFO topics end in .fifo).
    if (
      typeof name === "string" &&
      name !== UNKNOWN &&
      !/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)
    ) {
      failures.push({
        property: "name",
        reason: `must be 1 to 256 characters of [A-Za-z0-9_-], got ${name}`,
      });
    }
    return failures;
  },
  make(p, _ctx, region) {
    const a = arn("sns", region, p.name as string);
    return { id: a, outs: { arn: a, owner: ACCOUNT_ID } };
  },
});
