/** The adaptive topic tree of a run (issue #9): branches, allocation over model x branch, prompt variants. Pure. */
export * from "./tree";
export * from "./allocate";
export * from "./variants";
export * from "./explorer";
