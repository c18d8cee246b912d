//! People's names in Vietnamese order: the comparison the pages sort by, and
//! the same order as a key the database sorts by, byte by byte; and names
//! folded for search, so "xa an lam" finds "Xã An Lâm".
//!
//! ```
//! use thuocdo_host::org::names::{fold, given_first, name_key, name_order};
//!
//! assert_eq!(fold("Xã  An Lâm"), "xa an lam");
//! assert_eq!(fold("Đặng Thị Ngọc-Ánh"), "dang thi ngoc anh");
//! assert_eq!(given_first(&fold("Nguyễn Văn An")), "an nguyen van");
//!
//! // By the given name first; Đ after D, tones after letters.
//! assert!(name_order("Trần Thị An", "Lê Văn Bình").is_lt());
//! assert!(name_key("Trần Thị An") < name_key("Lê Văn Bình"));
//! assert!(name_key("Dung") < name_key("Đào"));
//! assert!(name_key("An") < name_key("Anh"));
//! ```

/// Orders people's names as Vietnamese lists do: by the given name (the last
/// word), then the rest, each word letter by letter in the Vietnamese
/// alphabet (a ă â b c d đ e ê … o ô ơ … u ư …) with tones after letters, in
/// the dictionaries' order (none, huyền, hỏi, ngã, sắc, nặng: a à ả ã á ạ, as
/// CLDR's Vietnamese collation and Wiktionary's Vietnamese sort keys have it)
/// — not by bytes, which put Đặng after Vũ.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(name: &str) -> (Vec<u32>, Vec<u32>) {
        let words: Vec<&str> = name.split_whitespace().collect();
        let given = words.last().copied().unwrap_or("");
        let rest = &words[..words.len().saturating_sub(1)];
        let mut letters = Vec::new();
        let mut tones = Vec::new();
        for word in std::iter::once(given).chain(rest.iter().copied()) {
            for c in word.chars() {
                let (letter, tone) = collate(c);
                letters.push(letter);
                tones.push(tone);
            }
            // Words end before any letter: "An" before "Anh".
            letters.push(0);
            tones.push(0);
        }
        (letters, tones)
    }
    let (ka, kb) = (key(a), key(b));
    ka.0.cmp(&kb.0)
        .then_with(|| ka.1.cmp(&kb.1))
        .then_with(|| a.cmp(b))
}

/// A character's place in the Vietnamese alphabet and its tone.
fn collate(c: char) -> (u32, u32) {
    use unicode_normalization::UnicodeNormalization;
    let mut base = None;
    let (mut shape, mut tone) = (0, 0);
    for part in std::iter::once(c).nfd() {
        match part {
            '\u{0306}' => shape = 1, // breve: ă
            '\u{0302}' => shape = 2, // circumflex: â ê ô
            '\u{031B}' => shape = 3, // horn: ơ ư
            '\u{0300}' => tone = 1,  // huyền
            '\u{0309}' => tone = 2,  // hỏi
            '\u{0303}' => tone = 3,  // ngã
            '\u{0301}' => tone = 4,  // sắc
            '\u{0323}' => tone = 5,  // nặng
            other if base.is_none() => base = Some(other),
            _ => {}
        }
    }
    let base = base.unwrap_or(c).to_lowercase().next().unwrap_or(c);
    let (base, shape) = match base {
        'đ' => ('d', 1),
        b => (b, shape),
    };
    // Four places per letter leave room for its shapes (o ô ơ; a ă â).
    (u32::from(base) * 4 + shape + 1, tone)
}

/// [`name_order`] as a key: keys compare byte by byte as the names do
/// (the letters of every word, given name first, then the tones), so an
/// index or an `ORDER BY` sorts people as the pages do.
pub fn name_key(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let given = words.last().copied().unwrap_or("");
    let rest = &words[..words.len().saturating_sub(1)];
    let mut letters = String::with_capacity(name.len() * 6 + 8);
    let mut tones = String::with_capacity(name.len() + 8);
    for word in std::iter::once(given).chain(rest.iter().copied()) {
        for c in word.chars() {
            let (letter, tone) = collate(c);
            // Six decimal digits hold every letter of the first plane;
            // beyond it letters sort last, together.
            letters.push_str(&format!("{:06}", letter.min(999_999)));
            tones.push(char::from(b'0' + tone as u8));
        }
        // Words end before any letter: "An" before "Anh".
        letters.push_str("000000");
        tones.push('0');
    }
    // Below every digit: a name whose letters are another's first ones
    // comes first, whatever the tones.
    letters.push('!');
    letters.push_str(&tones);
    letters
}

/// `name` for search: lower case, without tones or letter marks (đ as d),
/// words of letters and digits parted by one space.
pub fn fold(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if unicode_normalization::char::is_combining_mark(c) => continue,
            c => c,
        };
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// A folded name with its last word (the given name) first: "an nguyen
/// van", so a search for a given name finds it at the start.
pub fn given_first(folded: &str) -> String {
    match folded.rsplit_once(' ') {
        Some((rest, given)) => format!("{given} {rest}"),
        None => folded.to_string(),
    }
}
