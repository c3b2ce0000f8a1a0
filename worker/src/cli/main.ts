import { Command, CommanderError } from "commander";
import type { CofferCommand } from "./command";
import * as commands from "./commands";

/** The `coffer` program with every registered command. Exported for tests of the command line itself. */
export function buildProgram(): Command {
  const program = new Command("coffer")
    .description(
      "Coffer: archive, sync & recover Microsoft 365 mailboxes.\n" +
        "Settings come from .coffer/env (written by `npm run stack`); environment variables override them.",
    )
    .option("--debug", "print stack traces of unexpected errors")
    .showHelpAfterError("(run `coffer --help` for the commands)")
    .exitOverride();
  for (const command of Object.values(commands) as CofferCommand[]) command.register(program);
  return program;
}

/** Runs the command line and resolves to the process exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // exitOverride turns commander's own exits (help, version, usage errors) into errors; its message
    // has already been printed, so only the code matters.
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}
