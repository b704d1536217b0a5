/** The process's own output for a command-line tool, and the way its async main sets the exit code. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs a tool's main and exits with the code it returns (letting pending output flush first). */
export function exitWith(code: Promise<number>): void {
  void code.then((c) => {
    process.exitCode = c;
  });
}
