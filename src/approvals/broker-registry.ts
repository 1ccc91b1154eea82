import type { Pipeline } from "../pipeline/pipeline.js";
import type { ApprovalBroker } from "./approval-broker.js";

const brokers = new WeakMap<Pipeline, ApprovalBroker>();

/**
 * Associates a broker with a server's pipeline, so transports that are handed only the pipeline
 * (the HTTP gateway's sessions and stateless channels) settle holds through it.
 */
export function attachApprovals(pipeline: Pipeline, broker: ApprovalBroker): Pipeline {
  brokers.set(pipeline, broker);
  return pipeline;
}

export function approvalsFor(pipeline: Pipeline): ApprovalBroker | undefined {
  return brokers.get(pipeline);
}
