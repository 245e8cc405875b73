import { createInterface } from 'node:readline';

/** One line from stdin (a terminal or a pipe); null when stdin is closed first. */
export function askLine(question: string, options: { hidden?: boolean } = {}): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
    let answered = false;
    if (options.hidden && process.stdin.isTTY) {
      // Echo nothing of what is typed (a password).
      (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
        if (text.startsWith(question)) process.stderr.write(question);
      };
    }
    rl.question(question, (answer) => {
      answered = true;
      if (options.hidden && process.stdin.isTTY) process.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    rl.once('close', () => {
      if (!answered) resolve(null);
    });
  });
}

export async function confirm(question: string): Promise<boolean> {
  const answer = await askLine(`${question} [y/N] `);
  return answer !== null && /^y(es)?$/i.test(answer.trim());
}
