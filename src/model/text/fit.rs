//! Text cut to a width, saying that it is cut: the one way a cell, a caption or a line of
//! edgetop's is made to fit.

/// `text` in at most `width` columns: whole, or cut with `…` at its end, so a cut name says it
/// is cut (0: as it is). In a sentence, a word with a figure in it goes whole rather than
/// leave the first digits of a number ("(41…" of "(415 requests").
pub fn fit(text: &str, width: u16) -> String {
    use unicode_width::UnicodeWidthChar;
    let width = width as usize;
    if width == 0 || unicode_width::UnicodeWidthStr::width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for next in text.chars() {
        let w = next.width().unwrap_or(0);
        if used + w + 1 > width {
            let cut_word =
                !next.is_whitespace() && out.chars().last().is_some_and(|l| !l.is_whitespace());
            if cut_word && let Some(start) = out.rfind(char::is_whitespace) {
                let word = &out[start..];
                if word.chars().any(|c| c.is_ascii_digit()) || next.is_ascii_digit() {
                    let space = word.chars().next().map_or(1, char::len_utf8);
                    out.truncate(start + space);
                }
            }
            break;
        }
        out.push(next);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_name_says_it_is_cut() {
        assert_eq!(fit("payments-api/prod", 40), "payments-api/prod");
        assert_eq!(fit("payments-api/prod", 10), "payments-…");
        assert_eq!(fit("payments-api/prod", 0), "payments-api/prod");
        // A sentence loses a word with a figure whole, never its last digits.
        assert_eq!(
            fit("most from 10.0.0.1 (415 requests)", 22),
            "most from 10.0.0.1 …"
        );
        assert_eq!(
            fit("most from 10.0.0.1 (415 requests)", 30),
            "most from 10.0.0.1 (415 reque…"
        );
        // A name with no space is cut where it must, and says so.
        assert_eq!(fit("tenant-004217", 10), "tenant-00…");
        assert_eq!(fit("日本語の名前", 7), "日本語…");
    }
}
