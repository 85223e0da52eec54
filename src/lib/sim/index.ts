/** The simulator's behaviour model (pure). The HTTP server is src/server/simulator. */
export { SimEngine, type SimOutcome, type SimRequest, type UniverseInfo } from "./engine";
export { isSimModelId, SIM_MODEL_IDS, SIM_MODEL_PRICES, SIM_MODEL_PROFILES, simCallCostUsd, type ModelPrice, type SimModelId, type SimModelProfile } from "./models";
export { DEFAULT_SIM_PARAMS, mergeSimParams, parseSimParamsJson, parseSimParamsOverride, SimParamsError, type SimParams, type SimParamsOverride } from "./params";
export { parsePrompt, DEFAULT_REQUEST_SIZE, type ParsedPrompt } from "./prompt";
export { countTokens, countPromptTokens } from "./tokens";
export { canonicalTopic, generateUniverse, itemKey, universeSizeFor, type Universe } from "./universe";
export { composeBreakdown, DEFAULT_BREAKDOWN_RATES, type BreakdownRates } from "./breakdown";
export { generateHierarchy, resolveLabel, resolvePath, type Hierarchy, type HierarchyNode, type UniverseShape } from "./hierarchy";
export { readRequest, type SimRequestKind } from "./prompt";
