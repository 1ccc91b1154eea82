/**
 * Which server a resource URI belongs to on `/mcp`: the servers that listed it in `resources/list`,
 * else the servers with a `resources/templates/list` template it matches (RFC 6570 simple and
 * reserved expansion, as description review matches them). A URI two servers claim is ambiguous and
 * routed nowhere: reading it on `/mcp` could reach the wrong server.
 */
export type ResourceOwner = { kind: "one"; server: string } | { kind: "ambiguous"; servers: string[] } | { kind: "unknown" };

export class ResourceRoutes {
  private readonly uris = new Map<string, Set<string>>(); // server -> listed URIs
  private readonly templates = new Map<string, RegExp[]>(); // server -> template matchers

  /** A server's complete resource listing replaces what it listed before. */
  learnResources(server: string, resources: readonly unknown[]): void {
    const set = new Set<string>();
    for (const r of resources) {
      const uri = (r as { uri?: unknown } | null)?.uri;
      if (typeof uri === "string") set.add(uri);
    }
    this.uris.set(server, set);
  }

  learnTemplates(server: string, templates: readonly unknown[]): void {
    const out: RegExp[] = [];
    for (const t of templates) {
      const tpl = (t as { uriTemplate?: unknown } | null)?.uriTemplate;
      if (typeof tpl === "string") out.push(templateMatcher(tpl));
    }
    this.templates.set(server, out);
  }

  forget(server: string): void {
    this.uris.delete(server);
    this.templates.delete(server);
  }

  /** The owner of `uri` among `servers` (those the caller may reach). */
  owner(uri: string, servers: readonly string[]): ResourceOwner {
    const listed = servers.filter((s) => this.uris.get(s)?.has(uri));
    const found = listed.length > 0 ? listed : servers.filter((s) => this.templates.get(s)?.some((re) => re.test(uri)));
    if (found.length === 1) return { kind: "one", server: found[0]! };
    if (found.length > 1) return { kind: "ambiguous", servers: found };
    return { kind: "unknown" };
  }
}

/** RFC 6570 levels 1-2 as a matcher: `{x}` is one path segment, `{+x}` and `{#x}` anything. */
export function templateMatcher(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]*\})/)
    .map((part) => (part.startsWith("{") ? (part.startsWith("{+") || part.startsWith("{#") ? ".*" : "[^/?#]*") : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${pattern}$`, "u");
}
