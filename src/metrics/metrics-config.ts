import { z } from "zod";

/** `serve.metrics` in portcullis.yaml: `true`, or `{ enabled?, token_env? }` (docs/metrics.md). */
export const serveMetricsSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      enabled: z.boolean().optional().describe("default true when the object is present"),
      token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe("Env var holding a bearer token GET /metrics requires (required off loopback)"),
    }),
  ])
  .optional()
  .describe("serve: expose Prometheus metrics at GET /metrics");
