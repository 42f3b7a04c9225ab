/**
 * Longest dependency chain of a deployment graph: the number of resources that must be created one
 * after another, whatever the parallelism. Pure: works on the planner's `{ urn, dependencies }`.
 */

/** A node of the deployment graph: a resource and the URNs it waits for. */
export interface GraphNode {
  urn: string;
  dependencies: readonly string[];
}

/**
 * Length (in resources) of the longest chain in which each resource depends on the previous one.
 * Dependencies on URNs outside `nodes` are ignored; a cycle is an error naming a resource on it.
 */
export function criticalPathLength(nodes: readonly GraphNode[]): number {
  const byUrn = new Map(nodes.map((n) => [n.urn, n]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();

  const visit = (urn: string): number => {
    const known = depth.get(urn);
    if (known !== undefined) return known;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    let longest = 0;
    for (const dep of byUrn.get(urn)?.dependencies ?? []) {
      if (byUrn.has(dep)) longest = Math.max(longest, visit(dep));
    }
    visiting.delete(urn);
    depth.set(urn, longest + 1);
    return longest + 1;
  };

  let max = 0;
  for (const n of nodes) max = Math.max(max, visit(n.urn));
  return max;
}
