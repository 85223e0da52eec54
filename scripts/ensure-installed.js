require("./lib").ensureInstalled();
