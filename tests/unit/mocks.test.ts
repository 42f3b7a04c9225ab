// The mocks refuse what they were never taught: a misspelt type or a new data source fails the test that
// meets it, instead of being answered with its own inputs as if the provider had accepted it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MOCKED_RESOURCE_TYPES, PoolMocks } from "../../tools/mocks";

const resource = (type: string, custom?: boolean) => ({
  type,
  name: "r",
  inputs: {},
  custom,
  provider: "",
  id: undefined,
});

test("an unknown custom resource type is refused with what to do", () => {
  assert.throws(() => new PoolMocks().newResource(resource("aws:ec2/instanse:Instance", true)), {
    message:
      "mocks: resource type aws:ec2/instanse:Instance (r) is not one the pool creates; add it to MOCKED_RESOURCE_TYPES in tools/mocks.ts with the outputs the provider would return",
  });
});

test("known types and components are answered", () => {
  assert.ok(MOCKED_RESOURCE_TYPES.has("aws:ec2/instance:Instance"));
  assert.match(
    new PoolMocks().newResource(resource("aws:ec2/instance:Instance", true)).id,
    /^i-[0-9a-f]{17}$/,
  );
  assert.deepEqual(new PoolMocks().newResource(resource("test:index:Thing", false)), {
    id: "r-id",
    state: {},
  });
});

test("an unknown data source is refused with what to do", () => {
  assert.throws(
    () => new PoolMocks().call({ token: "aws:index/getAmi:getAmi", inputs: {}, provider: "" }),
    {
      message:
        "mocks: data source aws:index/getAmi:getAmi is not one the pool calls; answer it in PoolMocks.call (tools/mocks.ts) with what the provider returns",
    },
  );
});
