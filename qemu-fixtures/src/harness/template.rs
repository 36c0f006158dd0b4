//! Finding a picture in a screendump, as upstream's OpenCV calls do it
//! (`cv2.imread(path, 0)`, `cv2.cvtColor(BGR2GRAY)` and
//! `cv2.matchTemplate(..., cv2.TM_CCOEFF_NORMED)`): grey images from PPM
//! files and the positions where the normalised correlation coefficient
//! reaches a threshold.

use std::path::Path;

use crate::harness::TestError;

/// An 8-bit grey image, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Gray {
    /// Reads a PPM (binary `P6`, as QEMU's screendump writes, or ASCII
    /// `P3`, as Linux's logos are) and converts it to grey with OpenCV's
    /// BGR2GRAY weights (0.299 R + 0.587 G + 0.114 B, in its fixed point).
    pub fn read_ppm(path: &Path) -> Result<Gray, TestError> {
        let bytes = std::fs::read(path)
            .map_err(|err| TestError::io(format!("reading {}", path.display()), err))?;
        Gray::parse_ppm(&bytes)
            .map_err(|why| TestError::check(format!("{}: {why}", path.display())))
    }

    /// [`Gray::read_ppm`] of bytes; the error says what is wrong.
    pub fn parse_ppm(bytes: &[u8]) -> Result<Gray, String> {
        let mut rest = bytes;
        let magic = token(&mut rest).ok_or("no PPM magic")?;
        let ascii = match magic {
            b"P3" => true,
            b"P6" => false,
            other => {
                return Err(format!(
                    "magic is {:?}, expected \"P3\" or \"P6\"",
                    String::from_utf8_lossy(other)
                ));
            }
        };
        let number = |rest: &mut &[u8], what: &str| -> Result<u32, String> {
            let word = token(rest).ok_or_else(|| format!("no {what}"))?;
            std::str::from_utf8(word)
                .ok()
                .and_then(|text| text.parse().ok())
                .ok_or_else(|| format!("{what} is {:?}", String::from_utf8_lossy(word)))
        };
        let width = number(&mut rest, "width")? as usize;
        let height = number(&mut rest, "height")? as usize;
        let maxval = number(&mut rest, "maxval")?;
        if maxval == 0 || maxval > 255 {
            return Err(format!("maxval {maxval} is not an 8-bit one"));
        }
        let count = width * height * 3;
        let samples: Vec<u32> = if ascii {
            (0..count)
                .map(|i| number(&mut rest, &format!("sample {i}")))
                .collect::<Result<_, _>>()?
        } else {
            let body = rest.get(1..).unwrap_or_default();
            if body.len() < count {
                return Err(format!(
                    "{} pixel bytes for {width}x{height}, expected {count}",
                    body.len()
                ));
            }
            body[..count].iter().map(|&byte| u32::from(byte)).collect()
        };
        let scale = |sample: u32| (sample.min(maxval) * 255 + maxval / 2) / maxval;
        let pixels = samples
            .chunks_exact(3)
            .map(|rgb| {
                let (r, g, b) = (scale(rgb[0]), scale(rgb[1]), scale(rgb[2]));
                ((r * 4899 + g * 9617 + b * 1868 + 8192) >> 14) as u8
            })
            .collect();
        Ok(Gray {
            width,
            height,
            pixels,
        })
    }
}

/// Sums over rectangles in O(1): the integral images of the pixels and of
/// their squares.
struct Integral {
    stride: usize,
    sum: Vec<f64>,
    sq: Vec<f64>,
}

impl Integral {
    fn new(image: &Gray) -> Integral {
        let stride = image.width + 1;
        let mut sum = vec![0.0; stride * (image.height + 1)];
        let mut sq = sum.clone();
        for y in 0..image.height {
            let (mut row, mut row_sq) = (0.0, 0.0);
            for x in 0..image.width {
                let value = f64::from(image.pixels[y * image.width + x]);
                row += value;
                row_sq += value * value;
                sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1] + row;
                sq[(y + 1) * stride + x + 1] = sq[y * stride + x + 1] + row_sq;
            }
        }
        Integral { stride, sum, sq }
    }

    /// Sum and sum of squares of columns `x0..x1`, rows `y0..y1`.
    fn rect(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> (f64, f64) {
        let at = |table: &[f64]| {
            table[y1 * self.stride + x1]
                - table[y0 * self.stride + x1]
                - table[y1 * self.stride + x0]
                + table[y0 * self.stride + x0]
        };
        (at(&self.sum), at(&self.sq))
    }
}

/// `cv2.matchTemplate(image, template, TM_CCOEFF_NORMED)` followed by
/// `np.where(result >= threshold)`: every top-left `(x, y)` whose
/// coefficient reaches `threshold`, with that coefficient, in row order.
/// A flat window scores 0, as in OpenCV. Windows are abandoned as soon as
/// the Cauchy-Schwarz bound on their remaining rows shows they cannot
/// reach the threshold, so the result is exact and the search fast.
pub fn match_template(image: &Gray, template: &Gray, threshold: f64) -> Vec<(usize, usize, f64)> {
    let (tw, th) = (template.width, template.height);
    if tw == 0 || th == 0 || tw > image.width || th > image.height {
        return Vec::new();
    }
    let n = (tw * th) as f64;
    let t_mean = template.pixels.iter().map(|&p| f64::from(p)).sum::<f64>() / n;
    let centred: Vec<f64> = template
        .pixels
        .iter()
        .map(|&p| f64::from(p) - t_mean)
        .collect();
    // Per row r: the sums over rows r.. of T' and of T'^2.
    let mut t_rest = vec![0.0; th + 1];
    let mut t2_rest = vec![0.0; th + 1];
    for r in (0..th).rev() {
        let row = &centred[r * tw..(r + 1) * tw];
        t_rest[r] = t_rest[r + 1] + row.iter().sum::<f64>();
        t2_rest[r] = t2_rest[r + 1] + row.iter().map(|v| v * v).sum::<f64>();
    }
    let t_norm = t2_rest[0].sqrt();
    if t_norm == 0.0 {
        return Vec::new();
    }
    let integral = Integral::new(image);
    let mut found = Vec::new();
    for y in 0..=image.height - th {
        'window: for x in 0..=image.width - tw {
            let (sum, sq) = integral.rect(x, y, x + tw, y + th);
            let mean = sum / n;
            let var = (sq - sum * sum / n).max(0.0);
            // OpenCV's guard against rounding: such a window is flat.
            if var <= (10.0 * f64::from(f32::EPSILON) * sq).min(0.5) {
                continue;
            }
            let den = var.sqrt() * t_norm;
            let needed = threshold * den - 1e-9 * den;
            let mut num = 0.0;
            for r in 0..th {
                let (rest_sum, rest_sq) = integral.rect(x, y + r, x + tw, y + th);
                let rest_n = ((th - r) * tw) as f64;
                let rest_var = (rest_sq - 2.0 * mean * rest_sum + rest_n * mean * mean).max(0.0);
                if num + mean * t_rest[r] + (t2_rest[r] * rest_var).sqrt() < needed {
                    continue 'window;
                }
                let start = (y + r) * image.width + x;
                let pixels = &image.pixels[start..start + tw];
                num += centred[r * tw..(r + 1) * tw]
                    .iter()
                    .zip(pixels)
                    .map(|(t, &p)| t * f64::from(p))
                    .sum::<f64>();
            }
            let score = num / den;
            if score >= threshold {
                found.push((x, y, score));
            }
        }
    }
    found
}

/// The next whitespace-separated header or sample token; `#` comments
/// are skipped.
fn token<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    loop {
        let start = rest.iter().position(|byte| !byte.is_ascii_whitespace())?;
        *rest = &rest[start..];
        if rest.first() == Some(&b'#') {
            let end = rest.iter().position(|&byte| byte == b'\n')?;
            *rest = &rest[end..];
            continue;
        }
        let end = rest
            .iter()
            .position(|byte| byte.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let word = &rest[..end];
        *rest = &rest[end..];
        return Some(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pseudo-random grey image (a fixed LCG), so windows are not flat.
    fn noise(width: usize, height: usize, seed: u32) -> Gray {
        let mut state = seed;
        let pixels = (0..width * height)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (state >> 16) as u8
            })
            .collect();
        Gray {
            width,
            height,
            pixels,
        }
    }

    fn crop(image: &Gray, x: usize, y: usize, w: usize, h: usize) -> Gray {
        let pixels = (y..y + h)
            .flat_map(|row| image.pixels[row * image.width + x..row * image.width + x + w].to_vec())
            .collect();
        Gray {
            width: w,
            height: h,
            pixels,
        }
    }

    /// TM_CCOEFF_NORMED by its definition, with no pruning.
    fn brute(image: &Gray, t: &Gray, x: usize, y: usize) -> f64 {
        let window = crop(image, x, y, t.width, t.height);
        let mean =
            |g: &Gray| g.pixels.iter().map(|&p| f64::from(p)).sum::<f64>() / g.pixels.len() as f64;
        let (mw, mt) = (mean(&window), mean(t));
        let (mut num, mut a, mut b) = (0.0, 0.0, 0.0);
        for (&w, &tp) in window.pixels.iter().zip(&t.pixels) {
            let (w, tp) = (f64::from(w) - mw, f64::from(tp) - mt);
            num += w * tp;
            a += w * w;
            b += tp * tp;
        }
        num / (a * b).sqrt()
    }

    #[test]
    fn finds_a_brightened_copy_where_it_was_pasted_and_nowhere_else() {
        let mut image = noise(120, 90, 1);
        let logo = noise(20, 16, 2);
        // The correlation coefficient ignores gain and offset.
        for row in 0..16 {
            for col in 0..20 {
                let value = u16::from(logo.pixels[row * 20 + col]) / 2 + 40;
                image.pixels[(50 + row) * 120 + 33 + col] = value as u8;
            }
        }
        let found = match_template(&image, &logo, 0.92);
        assert_eq!(found.len(), 1, "{found:?}");
        let (x, y, score) = found[0];
        assert_eq!((x, y), (33, 50));
        assert!(score > 0.99, "{score}");
    }

    #[test]
    fn agrees_with_the_definition_at_every_position_above_a_low_threshold() {
        let image = noise(40, 30, 7);
        let template = crop(&image, 5, 6, 8, 7);
        let found = match_template(&image, &template, 0.2);
        let mut expected = Vec::new();
        for y in 0..=30 - 7 {
            for x in 0..=40 - 8 {
                let score = brute(&image, &template, x, y);
                if score >= 0.2 {
                    expected.push((x, y, score));
                }
            }
        }
        assert_eq!(found.len(), expected.len());
        for (got, want) in found.iter().zip(&expected) {
            assert_eq!((got.0, got.1), (want.0, want.1));
            assert!((got.2 - want.2).abs() < 1e-9, "{got:?} {want:?}");
        }
    }

    #[test]
    fn a_flat_window_scores_nothing() {
        let image = Gray {
            width: 10,
            height: 10,
            pixels: vec![9; 100],
        };
        assert!(match_template(&image, &noise(4, 4, 3), 0.0).is_empty());
    }

    #[test]
    fn reads_ascii_and_binary_ppm_with_opencvs_grey_weights() {
        let ascii = Gray::parse_ppm(b"P3\n# logo\n2 1\n255\n255 0 0  0 0 255\n").unwrap();
        assert_eq!((ascii.width, ascii.height), (2, 1));
        assert_eq!(ascii.pixels, [76, 29]);
        let binary = Gray::parse_ppm(b"P6\n1 1\n255\n\x00\xff\x00").unwrap();
        assert_eq!(binary.pixels, [150]);
        let err = Gray::parse_ppm(b"P5\n1 1\n255\n\0").unwrap_err();
        assert_eq!(err, "magic is \"P5\", expected \"P3\" or \"P6\"");
    }
}
