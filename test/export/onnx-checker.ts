/** Runs Debian's python3-onnx checker (full_check=True) on files; the CI installs python3-onnx. */
import { execFileSync } from 'node:child_process';

const SCRIPT = [
  'import onnx, sys',
  'for f in sys.argv[1:]:',
  '    onnx.checker.check_model(onnx.load(f), full_check=True)',
  'print("ok", len(sys.argv) - 1)',
].join('\n');

/** throws with the checker's message when any file fails; checks many files in one interpreter start */
export function checkOnnxFiles(files: readonly string[]): string {
  return execFileSync('/usr/bin/python3', ['-c', SCRIPT, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
