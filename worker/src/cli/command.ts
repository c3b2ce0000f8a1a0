import type { Command } from "commander";
import type { z } from "zod";

/**
 * The shape of a `coffer` command. One file per command exports `defineCommand({...})`, and one line in
 * `./commands.ts` registers it. The framework adds `--json` to every command, turns the command's result
 * into output, and turns thrown errors into a plain sentence and an exit code (never a stack trace).
 *
 * Keep a command file's top-level imports light (commander, zod, types) and import heavy modules (Graph,
 * BullMQ, the database) inside `run`, so `coffer --help` and other commands stay quick.
 */

export interface CommandIo {
  /** True under `--json`: stdout must then hold exactly one JSON document (the command's result). */
  readonly json: boolean;
  /** A line for people. Goes to stdout, or to stderr under `--json` so stdout stays machine-readable. */
  say(line: string): void;
  /** A warning or note for people; always stderr. */
  warn(line: string): void;
}

export interface CommandContext<TOptions> {
  /** The positional arguments, as commander parsed them (variadic arguments arrive as arrays). */
  args: unknown[];
  /** The command's options (without `json`), validated by `options` when the command gave a schema. */
  options: TOptions;
  io: CommandIo;
}

/** What `run` returns: the JSON document for `--json`, and the exit code (0 unless said). */
export type CommandOutcome = { json?: unknown; exitCode?: number } | undefined;

export interface CommandSpec<TOptions> {
  name: string;
  /** One line for `coffer --help`. */
  summary: string;
  /** Longer text for `coffer <name> --help`. */
  description?: string;
  /** Declares arguments and options on the commander command (`.argument()`, `.option()`, …). */
  configure?: (cmd: Command) => void;
  /** Validates and types the parsed options; a failure is reported as a usage error. */
  options?: z.ZodType<TOptions>;
  run: (ctx: CommandContext<TOptions>) => Promise<CommandOutcome> | CommandOutcome;
}

export interface CofferCommand {
  readonly name: string;
  register(program: Command): void;
}

/** A failure the user can act on: its message is printed as is, with the given exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export function makeIo(json: boolean): CommandIo {
  return {
    json,
    say: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Puts any error into words: CliError and SettingsError carry their own; others get their message. */
export function describeError(error: unknown, debug = false): string {
  if (!(error instanceof Error)) return String(error);
  if (debug && error.stack && error.name !== "CliError" && error.name !== "SettingsError") return error.stack;
  return error.message;
}

function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}

export function defineCommand<TOptions = Record<string, unknown>>(
  spec: CommandSpec<TOptions>,
): CofferCommand {
  return {
    name: spec.name,
    register(program: Command) {
      const cmd = program
        .command(spec.name)
        .summary(spec.summary)
        .description(spec.description ?? spec.summary);
      spec.configure?.(cmd);
      cmd.option("--json", "print the result as JSON (for scripts)");
      cmd.action(async (...actionArgs: unknown[]) => {
        // commander calls the action with (...arguments, options, command).
        const self = actionArgs.at(-1) as Command;
        const { json = false, ...rawOptions } = self.opts<{ json?: boolean }>();
        const debug = Boolean(self.optsWithGlobals<{ debug?: boolean }>().debug);
        const io = makeIo(json);
        try {
          let options = rawOptions as TOptions;
          if (spec.options) {
            const parsed = spec.options.safeParse(rawOptions);
            if (!parsed.success) {
              throw new CliError(parsed.error.issues.map((i) => i.message).join("; "), 2);
            }
            options = parsed.data;
          }
          const outcome = await spec.run({ args: actionArgs.slice(0, -2), options, io });
          if (json) process.stdout.write(`${JSON.stringify(outcome?.json ?? { ok: true }, null, 2)}\n`);
          process.exitCode = outcome?.exitCode ?? 0;
        } catch (error) {
          const message = describeError(error, debug);
          if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: message }, null, 2)}\n`);
          else process.stderr.write(`${message}\n`);
          process.exitCode = exitCodeOf(error);
        }
      });
    },
  };
}
