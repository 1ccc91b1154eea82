export { paint, useColour, type Paint } from "./colour.js";
export { formatJson, formatSarif, formatText, summarise } from "./format-report.js";
export { defaultConfigPaths, importConfig, ImportError, IMPORT_SOURCES, stripJsonComments, unwrapPortcullis, type ImportSource } from "./import-configs.js";
export { pinDrift, scanServer, type ScanServerOptions } from "./scan-server.js";
export type { PinDrift, ScanReport, ScanTarget, ServerReport } from "./scan-types.js";
export { RpcError, StdioMcpClient, type StdioClientOptions } from "./stdio-client.js";
