/** A small TypeScript highlighter for the code panel: comments, strings, numbers and keywords as spans. */
const KEYWORDS = /\b(?:import|from|const|let|function|return|for|if|type|new|as|void|of)\b/;
const TOKEN = /(\/\/[^\n]*|\/\*\*[\s\S]*?\*\/)|("(?:[^"\\]|\\.)*")|(\b\d+(?:\.\d+)?(?:e-?\d+)?\b)|(\b[A-Za-z_]\w*\b)/g;

function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function highlight(code) {
  let out = "";
  let last = 0;
  for (const m of code.matchAll(TOKEN)) {
    out += escape(code.slice(last, m.index));
    const [text, comment, string, number, word] = m;
    if (comment) out += `<span class="tok-comment">${escape(text)}</span>`;
    else if (string) out += `<span class="tok-string">${escape(text)}</span>`;
    else if (number) out += `<span class="tok-number">${text}</span>`;
    else if (word && KEYWORDS.test(word) && word.length === text.length && KEYWORDS.exec(word)[0] === word) out += `<span class="tok-keyword">${text}</span>`;
    else out += escape(text);
    last = m.index + text.length;
  }
  return out + escape(code.slice(last));
}
