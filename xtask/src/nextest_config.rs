//! What `.config/nextest.toml` says about one test: whether the quick
//! profile runs it, its timeout and its priority. The meson bridge reads
//! them from here so that the file stays the one place they are written.
//!
//! Filtersets are evaluated by a small subset of nextest's language:
//! `test(...)`, `package(...)`, `binary_id(...)`, `all()`, `none()`, `not`,
//! `&`, `and`, `|`, `+`, `or`, `-` and parentheses, with `/regex/`, `=exact`,
//! `#glob` and plain substring matchers. A filter outside the subset is an
//! error, so a new construct in nextest.toml cannot be misread silently.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use regex::Regex;

/// The settings of nextest.toml that the bridge needs.
#[derive(Debug)]
pub struct NextestConfig {
    quick_filter: Option<Filter>,
    default_timeout: Duration,
    overrides: Vec<Override>,
}

#[derive(Debug)]
struct Override {
    filter: Filter,
    priority: Option<i64>,
    timeout: Option<Duration>,
}

/// One test as filtersets see it.
#[derive(Debug, Clone, Copy)]
pub struct TestQuery<'a> {
    /// The package, `arch-arm`.
    pub package: &'a str,
    /// The binary id, `arch-arm::functional`.
    pub binary_id: &'a str,
    /// The test name, `canon_a1100::boots_barebox`.
    pub test: &'a str,
}

impl NextestConfig {
    pub fn load(path: &Path) -> anyhow::Result<NextestConfig> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        NextestConfig::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<NextestConfig> {
        let toml: toml::Table = text.parse()?;
        let profile = |name: &str| {
            toml.get("profile")
                .and_then(|p| p.get(name))
                .and_then(|p| p.as_table())
        };
        let default = profile("default").context("no [profile.default]")?;
        // The quick profile's filter, else the default profile's.
        let quick_filter = profile("quick")
            .and_then(|quick| quick.get("default-filter"))
            .or_else(|| default.get("default-filter"))
            .and_then(|filter| filter.as_str())
            .map(Filter::parse)
            .transpose()?;
        let default_timeout = default
            .get("slow-timeout")
            .map(timeout_of)
            .transpose()?
            .flatten()
            .unwrap_or(Duration::from_secs(90));
        let mut overrides = Vec::new();
        for entry in default
            .get("overrides")
            .and_then(|o| o.as_array())
            .into_iter()
            .flatten()
        {
            let Some(filter) = entry.get("filter").and_then(|f| f.as_str()) else {
                continue;
            };
            overrides.push(Override {
                filter: Filter::parse(filter)?,
                priority: entry.get("priority").and_then(|p| p.as_integer()),
                timeout: entry
                    .get("slow-timeout")
                    .map(timeout_of)
                    .transpose()?
                    .flatten(),
            });
        }
        Ok(NextestConfig {
            quick_filter,
            default_timeout,
            overrides,
        })
    }

    /// Whether the quick profile (and so `cargo nextest run`) runs it.
    pub fn is_quick(&self, query: &TestQuery) -> bool {
        self.quick_filter
            .as_ref()
            .is_none_or(|filter| filter.matches(query))
    }

    /// When nextest would kill it: slow-timeout period × terminate-after,
    /// from the first override that sets one (nextest's rule), else the
    /// profile's.
    pub fn timeout(&self, query: &TestQuery) -> Duration {
        self.overrides
            .iter()
            .filter(|o| o.timeout.is_some() && o.filter.matches(query))
            .find_map(|o| o.timeout)
            .unwrap_or(self.default_timeout)
    }

    /// Its priority (higher starts first), 0 unless an override says.
    pub fn priority(&self, query: &TestQuery) -> i64 {
        self.overrides
            .iter()
            .filter(|o| o.priority.is_some() && o.filter.matches(query))
            .find_map(|o| o.priority)
            .unwrap_or(0)
    }
}

/// `"60s"` or `{ period = "30s", terminate-after = 4 }`; `None` when
/// nothing is ever terminated.
fn timeout_of(value: &toml::Value) -> anyhow::Result<Option<Duration>> {
    let (period, times) = match value {
        toml::Value::String(period) => (period.as_str(), None),
        toml::Value::Table(table) => (
            table
                .get("period")
                .and_then(|p| p.as_str())
                .context("slow-timeout without a period")?,
            table.get("terminate-after").and_then(|t| t.as_integer()),
        ),
        other => bail!("slow-timeout {other} is neither a string nor a table"),
    };
    let period = humantime::parse_duration(period)
        .with_context(|| format!("slow-timeout period {period:?}"))?;
    Ok(times.map(|times| period * times as u32))
}

/// A parsed filterset.
#[derive(Debug)]
enum Filter {
    All,
    None,
    Test(Matcher),
    Package(Matcher),
    BinaryId(Matcher),
    Not(Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Difference(Box<Filter>, Box<Filter>),
}

#[derive(Debug)]
enum Matcher {
    Regex(Regex),
    Exact(String),
    Glob(Regex),
    Contains(String),
}

impl Matcher {
    fn parse(text: &str, default_exact: bool) -> anyhow::Result<Matcher> {
        let text = text.trim();
        if let Some(body) = text
            .strip_prefix('/')
            .and_then(|rest| rest.strip_suffix('/'))
        {
            return Ok(Matcher::Regex(Regex::new(body)?));
        }
        if let Some(exact) = text.strip_prefix('=') {
            return Ok(Matcher::Exact(exact.to_owned()));
        }
        if let Some(glob) = text.strip_prefix('#') {
            return Ok(Matcher::Glob(glob_regex(glob)?));
        }
        if let Some(contains) = text.strip_prefix('~') {
            return Ok(Matcher::Contains(contains.to_owned()));
        }
        // nextest's defaults: contains for test(), glob for the others.
        Ok(if default_exact {
            Matcher::Glob(glob_regex(text)?)
        } else {
            Matcher::Contains(text.to_owned())
        })
    }

    fn matches(&self, text: &str) -> bool {
        match self {
            Matcher::Regex(regex) | Matcher::Glob(regex) => regex.is_match(text),
            Matcher::Exact(exact) => text == exact,
            Matcher::Contains(part) => text.contains(part.as_str()),
        }
    }
}

fn glob_regex(glob: &str) -> anyhow::Result<Regex> {
    let mut pattern = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => pattern.push_str(".*"),
            '?' => pattern.push('.'),
            c => pattern.push_str(&regex::escape(&c.to_string())),
        }
    }
    pattern.push('$');
    Ok(Regex::new(&pattern)?)
}

impl Filter {
    fn parse(text: &str) -> anyhow::Result<Filter> {
        let mut parser = Parser { text, at: 0 };
        let filter = parser
            .union()
            .with_context(|| format!("filterset {text:?}"))?;
        parser.skip_space();
        if parser.at != text.len() {
            bail!("filterset {text:?}: unexpected {:?}", &text[parser.at..]);
        }
        Ok(filter)
    }

    fn matches(&self, query: &TestQuery) -> bool {
        match self {
            Filter::All => true,
            Filter::None => false,
            Filter::Test(matcher) => matcher.matches(query.test),
            Filter::Package(matcher) => matcher.matches(query.package),
            Filter::BinaryId(matcher) => matcher.matches(query.binary_id),
            Filter::Not(inner) => !inner.matches(query),
            Filter::And(a, b) => a.matches(query) && b.matches(query),
            Filter::Or(a, b) => a.matches(query) || b.matches(query),
            Filter::Difference(a, b) => a.matches(query) && !b.matches(query),
        }
    }
}

/// Recursive descent: union := intersection (('|' | '+' | 'or') intersection)*,
/// intersection := unary (('&' | 'and' | '-') unary)*, unary := 'not' unary | atom.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn union(&mut self) -> anyhow::Result<Filter> {
        let mut left = self.intersection()?;
        while self.eat("|") || self.eat("+") || self.eat_word("or") {
            left = Filter::Or(Box::new(left), Box::new(self.intersection()?));
        }
        Ok(left)
    }

    fn intersection(&mut self) -> anyhow::Result<Filter> {
        let mut left = self.unary()?;
        loop {
            if self.eat("&") || self.eat_word("and") {
                left = Filter::And(Box::new(left), Box::new(self.unary()?));
            } else if self.eat("-") {
                left = Filter::Difference(Box::new(left), Box::new(self.unary()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> anyhow::Result<Filter> {
        if self.eat_word("not") || self.eat("!") {
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let inner = self.union()?;
            if !self.eat(")") {
                bail!("missing ')'");
            }
            return Ok(inner);
        }
        self.skip_space();
        let rest = &self.text[self.at..];
        let open = rest.find('(').context("expected a predicate")?;
        let name = rest[..open].trim().to_owned();
        // The argument runs to the matching ')', regexes may hold parentheses.
        let argument_start = self.at + open + 1;
        let bytes = self.text.as_bytes();
        let mut depth = 1;
        let mut end = argument_start;
        let mut in_regex = self.text[argument_start..].trim_start().starts_with('/');
        let mut seen_open_slash = false;
        while end < bytes.len() {
            let c = bytes[end];
            if in_regex && c == b'\\' {
                end += 2;
                continue;
            }
            if in_regex && c == b'/' {
                if seen_open_slash {
                    in_regex = false;
                }
                seen_open_slash = true;
            } else if !in_regex && c == b'(' {
                depth += 1;
            } else if !in_regex && c == b')' {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            end += 1;
        }
        if end >= bytes.len() {
            bail!("missing ')' after {name}(");
        }
        let argument = &self.text[argument_start..end];
        self.at = end + 1;
        Ok(match name.as_str() {
            "all" => Filter::All,
            "none" => Filter::None,
            "test" => Filter::Test(Matcher::parse(argument, false)?),
            "package" => Filter::Package(Matcher::parse(argument, true)?),
            "binary_id" => Filter::BinaryId(Matcher::parse(argument, true)?),
            other => bail!("predicate {other}() is outside the subset this bridge understands"),
        })
    }

    fn skip_space(&mut self) {
        while self.text[self.at..].starts_with(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.text[self.at..].starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        self.skip_space();
        let rest = &self.text[self.at..];
        if rest.starts_with(word)
            && rest[word.len()..].starts_with(|c: char| c.is_whitespace() || c == '(')
        {
            self.at += word.len();
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(package: &'a str, test: &'a str) -> TestQuery<'a> {
        TestQuery {
            package,
            binary_id: "x::functional",
            test,
        }
    }

    #[test]
    fn the_subset_of_filtersets_evaluates_as_nextest_does() {
        let filter = Filter::parse("not test(/^(canon_a1100|linux_[a-z0-9_]+)::/)").unwrap();
        assert!(!filter.matches(&query("arch-arm", "canon_a1100::boots_barebox")));
        assert!(!filter.matches(&query("arch-x86_64", "linux_deb::answers")));
        assert!(filter.matches(&query("arch-arm", "uboot::answers_version_at_its_prompt")));
        let both = Filter::parse("package(qemu-fixtures) & test(/^console_waits::/)").unwrap();
        assert!(both.matches(&query("qemu-fixtures", "console_waits::x")));
        assert!(!both.matches(&query("arch-arm", "console_waits::x")));
        let contains = Filter::parse("test(flaky) | none()").unwrap();
        assert!(contains.matches(&query("p", "a::boots_flaky")));
        assert!(
            Filter::parse("all() - test(=a::b)")
                .unwrap()
                .matches(&query("p", "a::c"))
        );
        assert!(
            Filter::parse("group(slow)").is_err(),
            "outside the subset must be an error"
        );
    }

    #[test]
    fn the_projects_nextest_toml_is_understood() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.config/nextest.toml");
        let config = NextestConfig::load(&path).unwrap();
        let uboot = query("arch-aarch64", "uboot::answers_version_at_its_prompt");
        assert!(config.is_quick(&uboot));
        assert_eq!(config.priority(&uboot), 50);
        assert_eq!(config.timeout(&uboot), Duration::from_secs(60));
        let canon = query("arch-arm", "canon_a1100::boots_barebox");
        assert!(!config.is_quick(&canon));
        let version = query("arch-arm", "version::query_version_matches_cli");
        assert_eq!(
            (config.priority(&version), config.timeout(&version)),
            (0, Duration::from_secs(120))
        );
    }
}
