import { main } from "../cli/main";

process.exitCode = await main(["node", "coffer", ...process.argv.slice(2)]);
