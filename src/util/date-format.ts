/**
 * Java's SimpleDateFormat patterns, for the tools that take one (consumer-perf-test
 * --date-format, Kafka's default `yyyy-MM-dd HH:mm:ss:SSS`), rendered in the local time zone.
 * Letters: y M d H h k K m s S a E D Z X z; quoted text in '…' ('' is a quote); other
 * characters are copied. An unknown letter is an error, as Java's is.
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Token = { letter: string; width: number } | { text: string };

/** Parses a pattern; throws Error("Illegal pattern character 'q'") as Java does. */
export function compileDateFormat(pattern: string): (ms: number) => string {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ text: "'" });
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error('Unterminated quote');
      tokens.push({ text: pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (/[a-zA-Z]/.test(c)) {
      if (!'yMdHhkKmsSaEDZXzuwWFG'.includes(c)) throw new Error(`Illegal pattern character '${c}'`);
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ letter: c, width: j - i });
      i = j;
    } else {
      tokens.push({ text: c });
      i++;
    }
  }
  return (ms) => {
    const d = new Date(ms);
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const offset = -d.getTimezoneOffset();
    const sign = offset >= 0 ? '+' : '-';
    const oh = pad(Math.floor(Math.abs(offset) / 60), 2);
    const om = pad(Math.abs(offset) % 60, 2);
    return tokens
      .map((t) => {
        if ('text' in t) return t.text;
        const w = t.width;
        switch (t.letter) {
          case 'y':
          case 'u':
            return w === 2 ? pad(d.getFullYear() % 100, 2) : pad(d.getFullYear(), w);
          case 'M':
            return w >= 4 ? MONTHS[d.getMonth()]! : w === 3 ? MONTHS[d.getMonth()]!.slice(0, 3) : pad(d.getMonth() + 1, w);
          case 'd':
            return pad(d.getDate(), w);
          case 'H':
            return pad(d.getHours(), w);
          case 'k':
            return pad(d.getHours() || 24, w);
          case 'K':
            return pad(d.getHours() % 12, w);
          case 'h':
            return pad(d.getHours() % 12 || 12, w);
          case 'm':
            return pad(d.getMinutes(), w);
          case 's':
            return pad(d.getSeconds(), w);
          case 'S':
            return pad(d.getMilliseconds(), w);
          case 'a':
            return d.getHours() < 12 ? 'AM' : 'PM';
          case 'E':
            return w >= 4 ? DAYS[d.getDay()]! : DAYS[d.getDay()]!.slice(0, 3);
          case 'D': {
            const startOfYear = new Date(d.getFullYear(), 0, 1).getTime();
            return pad(Math.floor((d.getTime() - startOfYear) / 86_400_000) + 1, w);
          }
          case 'Z':
            return `${sign}${oh}${om}`;
          case 'X':
            return offset === 0 ? 'Z' : w === 1 ? `${sign}${oh}` : w === 2 ? `${sign}${oh}${om}` : `${sign}${oh}:${om}`;
          case 'z':
            return `GMT${sign}${oh}:${om}`;
          case 'G':
            return 'AD';
          default:
            // w, W, F: week-based fields, rarely used in tool output.
            return pad(Math.ceil(d.getDate() / 7), w);
        }
      })
      .join('');
  };
}
