export * from "./router";
export * from "./adaptive";
export * from "./apportion";
export * from "./health";
export * from "./score";
export * from "./simulate";
