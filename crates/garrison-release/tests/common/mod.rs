//! Builders for real wheels and sdists, written in-process like the build backends write them.
#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr)]

pub mod build;

use std::io::{Cursor, Write};

use garrison_release::wheel::record_hash;
use zip::write::SimpleFileOptions;

/// Which build backend's layout to imitate.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Setuptools,
    Hatchling,
    Flit,
}

/// A wheel in the shape `backend` writes: package files, then dist-info with METADATA, WHEEL,
/// backend-specific extras, and RECORD last (listing itself with empty hash and size).
pub fn wheel(backend: Backend, name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let di = format!("{}-{version}.dist-info", name.replace('-', "_"));
    let generator = match backend {
        Backend::Setuptools => "setuptools (75.1.0)",
        Backend::Hatchling => "hatchling 1.25.0",
        Backend::Flit => "flit 3.9.0",
    };
    let metadata = format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: A test package\n\
         Requires-Python: >=3.9\nRequires-Dist: numpy>=1.24\nRequires-Dist: pytest; extra == \"test\"\n\
         License: BSD-3-Clause\n  second license line\nProvides-Extra: test\n\n# {name}\n\nLong description.\n"
    );
    let wheel_txt = format!(
        "Wheel-Version: 1.0\nGenerator: {generator}\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n"
    );
    let mut members: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(p, d)| ((*p).to_string(), d.to_vec()))
        .collect();
    match backend {
        Backend::Setuptools => {
            members.push((format!("{di}/LICENSE"), b"BSD 3-Clause\n".to_vec()));
            members.push((format!("{di}/METADATA"), metadata.into_bytes()));
            members.push((format!("{di}/WHEEL"), wheel_txt.into_bytes()));
            let top = name.replace('-', "_");
            members.push((
                format!("{di}/top_level.txt"),
                format!("{top}\n").into_bytes(),
            ));
        }
        Backend::Hatchling => {
            members.push((format!("{di}/METADATA"), metadata.into_bytes()));
            members.push((format!("{di}/WHEEL"), wheel_txt.into_bytes()));
            members.push((format!("{di}/licenses/LICENSE"), b"BSD 3-Clause\n".to_vec()));
        }
        Backend::Flit => {
            members.push((
                format!("{di}/entry_points.txt"),
                b"[console_scripts]\ntool=pkg:main\n".to_vec(),
            ));
            members.push((format!("{di}/WHEEL"), wheel_txt.into_bytes()));
            members.push((format!("{di}/METADATA"), metadata.into_bytes()));
        }
    }
    let record = record_for(&members, &format!("{di}/RECORD"));
    members.push((format!("{di}/RECORD"), record.into_bytes()));
    zip_of(&members)
}

/// RECORD text for `members`, plus the RECORD row itself.
pub fn record_for(members: &[(String, Vec<u8>)], record_path: &str) -> String {
    let mut record = String::new();
    for (p, d) in members {
        record.push_str(&format!("{p},{},{}\n", record_hash(d), d.len()));
    }
    record.push_str(&format!("{record_path},,\n"));
    record
}

/// A deflated zip of `members`, in order.
pub fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (p, d) in members {
        w.start_file(p.as_str(), opts).unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Unpacks `zip` to (path, bytes) pairs (for tampering tests).
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut d = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut d).unwrap();
            (f.name().unwrap().to_string(), d)
        })
        .collect()
}

/// One tar member for [`tar_gz`].
pub enum T<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    CharDevice(&'a str),
}

/// A gzip'd GNU tar. Names are written raw into the header, so hostile names (`../x`,
/// `/etc/x`) can be produced.
pub fn tar_gz(members: &[T<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        let (name, data): (&str, &[u8]) = match m {
            T::File(n, d) => {
                h.set_entry_type(tar::EntryType::Regular);
                (n, d)
            }
            T::Dir(n) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                (n, b"")
            }
            T::Symlink(n, t) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_link_name_literal(t).unwrap();
                (n, b"")
            }
            T::Hardlink(n, t) => {
                h.set_entry_type(tar::EntryType::Link);
                h.set_link_name_literal(t).unwrap();
                (n, b"")
            }
            T::CharDevice(n) => {
                h.set_entry_type(tar::EntryType::Char);
                (n, b"")
            }
        };
        let raw = &mut h.as_old_mut().name;
        raw.fill(0);
        raw[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(data.len() as u64);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    gz(&b.into_inner().unwrap())
}

pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// An sdist as setuptools writes it: `name-version/` with PKG-INFO, pyproject.toml,
/// setup.cfg, the package and its egg-info.
pub fn sdist(name: &str, version: &str) -> Vec<u8> {
    let top = format!("{name}-{version}");
    let pkg_info = format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: A test package\n\n"
    );
    let paths: Vec<(String, Vec<u8>)> = vec![
        (format!("{top}/PKG-INFO"), pkg_info.clone().into_bytes()),
        (format!("{top}/README.md"), b"# pkg\n".to_vec()),
        (
            format!("{top}/pyproject.toml"),
            b"[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n"
                .to_vec(),
        ),
        (format!("{top}/setup.cfg"), b"[egg_info]\ntag_build = \ntag_date = 0\n\n".to_vec()),
        (format!("{top}/src/pkg/__init__.py"), b"__version__ = \"1.0\"\n".to_vec()),
        (format!("{top}/src/pkg.egg-info/PKG-INFO"), pkg_info.into_bytes()),
        (
            format!("{top}/src/pkg.egg-info/SOURCES.txt"),
            b"README.md\npyproject.toml\nsrc/pkg/__init__.py\n".to_vec(),
        ),
    ];
    let mut members = vec![T::Dir(top.as_str())];
    members.extend(paths.iter().map(|(p, d)| T::File(p.as_str(), d.as_slice())));
    tar_gz(&members)
}

/// A raw zip entry for [`raw_zip`]: lets tests write what `ZipWriter` refuses (duplicate
/// names, `..`, encryption flags, lying sizes).
pub struct Raw {
    pub name: Vec<u8>,
    /// 0 stored, 8 deflated.
    pub method: u16,
    /// The stored (possibly compressed) bytes.
    pub data: Vec<u8>,
    pub crc: u32,
    /// Declared uncompressed size.
    pub size: u32,
    pub flags: u16,
    /// Unix mode in the high 16 bits of the external attributes.
    pub mode: u32,
}

impl Raw {
    pub fn stored(name: &str, data: &[u8]) -> Raw {
        Raw {
            name: name.as_bytes().to_vec(),
            method: 0,
            data: data.to_vec(),
            crc: crc32(data),
            size: data.len() as u32,
            flags: 0,
            mode: 0o100644,
        }
    }
}

/// Writes a zip archive byte by byte (local headers, central directory, end record).
pub fn raw_zip(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let csize = e.data.len() as u32;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        out.extend_from_slice(&e.crc.to_le_bytes());
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&e.size.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&e.flags.to_le_bytes());
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0x21, 0]);
        central.extend_from_slice(&e.crc.to_le_bytes());
        central.extend_from_slice(&csize.to_le_bytes());
        central.extend_from_slice(&e.size.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra len, comment len, disk, internal attrs
        central.extend_from_slice(&(e.mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A raw deflate stream of `chunks` × 16 MiB of zeros, built lazily: one 16 MiB block is
/// compressed once (sync-flushed, so it ends on a byte boundary and is not final) and
/// repeated, then a final empty block closes the stream. 128 chunks = 2 GiB in ~2 MB.
pub fn zero_deflate(prefix: &[u8], chunks: usize) -> Vec<u8> {
    let mut out = Vec::new();
    if !prefix.is_empty() {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(prefix).unwrap();
        e.flush().unwrap();
        out.extend_from_slice(e.get_ref());
    }
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let mib = vec![0u8; 1 << 20];
    for _ in 0..16 {
        e.write_all(&mib).unwrap();
    }
    e.flush().unwrap();
    let chunk = e.get_ref().clone();
    for _ in 0..chunks {
        out.extend_from_slice(&chunk);
    }
    out.extend_from_slice(&[0x03, 0x00]); // final fixed-Huffman block with only end-of-block
    out
}
