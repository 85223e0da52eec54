require("./lib").ensureBuilt();
