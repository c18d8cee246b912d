//! The national data set: 34 provinces, 3,321 communes and 254,757 civil
//! servants scored for 2025 under Decree 335, calibrated to the Ministry of
//! Home Affairs' 2023 classification (45,696 excellent, 165,939 good, 28,689
//! completed, 14,733 not completed — 255,057 by the counts, spread here over
//! the 254,757 servants in the same proportions). Those counts hold more
//! excellent than the 20 % quota allows: a run shows what the quota does.

use std::collections::BTreeMap;

use super::{Calibrator, DataSet, Rng, apportion, grades, samplers};
use crate::org::{
    AssignmentRecord, PostRecord, ProductTypeRecord, SubjectKind, SubjectRecord, UnitRecord,
};
use crate::runtime::{self, Grade};
use crate::scoring::grade_code;

/// Provinces and cities after 1 July 2025.
pub const PROVINCES: usize = 34;
/// Commune-level units.
pub const COMMUNES: usize = 3_321;
/// Civil servants classified in 2023.
pub const SERVANTS: usize = 254_757;

const POSTS: [(&str, &str, &str); 5] = [
    (
        "cong-chuc-van-phong-thong-ke",
        "Văn phòng – thống kê",
        "office",
    ),
    (
        "cong-chuc-tai-chinh-ke-toan",
        "Tài chính – kế toán",
        "finance",
    ),
    (
        "cong-chuc-dia-chinh-xay-dung",
        "Địa chính – xây dựng",
        "land",
    ),
    ("cong-chuc-tu-phap-ho-tich", "Tư pháp – hộ tịch", "justice"),
    ("cong-chuc-van-hoa-xa-hoi", "Văn hóa – xã hội", "culture"),
];

/// Every post's product types, and what one is worth.
const PRODUCT_KINDS: [(&str, &str, &str); 3] = [
    ("van-ban", "Văn bản hành chính", "1"),
    ("bao-cao", "Báo cáo chuyên đề", "1.5"),
    ("ho-so", "Hồ sơ giải quyết", "0.5"),
];

/// Writes `per_servant` work products for each of the national servants in
/// `period`, as CSV, to `out`, a row at a time (5 million rows at 20 each
/// never sit in memory): most on time, a few late, some with a failed check
/// or a rework, a few of those for an objective cause.
pub fn write_products(
    seed: u64,
    period: &str,
    per_servant: usize,
    out: &mut impl std::io::Write,
) -> std::io::Result<usize> {
    let (base, extra) = (SERVANTS / COMMUNES, SERVANTS % COMMUNES);
    writeln!(
        out,
        "subject_id,period,product_id,kind,assigned,accepted,deadline,completed,failed_checks,failed_checks_objective,reworks,source"
    )?;
    let mut rows = 0;
    for c in 0..COMMUNES {
        for i in 0..base + usize::from(c < extra) {
            let mut rng = Rng::for_item(seed, 20_260, rows as u64);
            for k in 0..per_servant {
                let kind = PRODUCT_KINDS[rng.range(0, 3) as usize].0;
                let month = 1 + rng.range(0, 12);
                let day = 1 + rng.range(0, 28);
                let late = rng.unit() < 0.08;
                let completed = if late { day.min(27) + 1 } else { day };
                let deadline = day;
                let faults = |rng: &mut Rng, p: f64| u64::from(rng.unit() < p);
                let (checks, objective, reworks) = (
                    faults(&mut rng, 0.1),
                    faults(&mut rng, 0.02),
                    faults(&mut rng, 0.05),
                );
                writeln!(
                    out,
                    "cc-{:04}-{:03},{period},sp-{k:03},{kind},1,1,{period}-{month:02}-{deadline:02},{period}-{month:02}-{completed:02},{checks},{objective},{reworks},thuocdo gen-data",
                    c + 1,
                    i + 1,
                )?;
                rows += 1;
            }
        }
    }
    Ok(rows)
}

/// The national data set.
pub fn national(seed: u64) -> runtime::Result<DataSet> {
    national_of(seed, COMMUNES, SERVANTS)
}

/// [`national`] at another size: `communes` communes (spread over the 34
/// provinces) and `servants` servants in the same proportions of grades,
/// for the tests that need the national shape at a size they can afford.
pub fn national_of(seed: u64, communes: usize, servants: usize) -> runtime::Result<DataSet> {
    let calibrator = Calibrator::new()?;
    let mut rng = Rng::new(seed);
    let mut data = DataSet::default();
    let org = &mut data.organisation;
    org.units.push(UnitRecord {
        code: "vn".into(),
        name: "Việt Nam".into(),
        kind: "country".into(),
        parent: None,
        publishes_people: false,
        grades_only: false,
        within_agency: false,
        leader_posts: Vec::new(),
    });
    for p in 1..=PROVINCES {
        org.units.push(UnitRecord {
            code: format!("tinh-{p:02}"),
            name: format!("Tỉnh/thành phố {p:02}"),
            kind: "province".into(),
            parent: Some("vn".into()),
            publishes_people: false,
            grades_only: false,
            within_agency: false,
            leader_posts: Vec::new(),
        });
    }
    for c in 0..communes {
        org.units.push(UnitRecord {
            code: format!("xa-{:04}", c + 1),
            name: format!("Xã/phường {:04}", c + 1),
            kind: "commune".into(),
            parent: Some(format!("tinh-{:02}", 1 + c % PROVINCES)),
            publishes_people: false,
            grades_only: false,
            within_agency: false,
            leader_posts: Vec::new(),
        });
    }
    org.posts = POSTS
        .iter()
        .map(|(code, title, group)| PostRecord {
            code: (*code).into(),
            title: (*title).into(),
            task_group: (*group).into(),
            category: None,
            products: Some(
                PRODUCT_KINDS
                    .iter()
                    .map(|(kind, title, coefficient)| ProductTypeRecord {
                        kind: (*kind).into(),
                        title: (*title).into(),
                        unit: "sản phẩm / products".into(),
                        coefficient: (*coefficient).into(),
                        basis: Some("Decree 335/2025/ND-CP".into()),
                    })
                    .collect(),
            ),
        })
        .collect();
    org.assignments = vec![AssignmentRecord {
        post_type: "commune".into(),
        plugin: "moha/civil-servant-decree-335@^1".into(),
        unit: "vn".into(),
        from: "2025".into(),
    }];
    let reported = [
        (Grade::A, 45_696),
        (Grade::B, 165_939),
        (Grade::C, 28_689),
        (Grade::D, 14_733),
    ];
    let targets = grades(&apportion(&reported, servants as u64), &mut rng);
    // Spread the servants over the communes: 76 or 77 each.
    let base = servants / communes;
    let extra = servants % communes;
    let mut subjects = Vec::with_capacity(servants);
    for c in 0..communes {
        for i in 0..base + usize::from(c < extra) {
            subjects.push(SubjectRecord {
                id: format!("cc-{:04}-{:03}", c + 1, i + 1),
                name: format!("Công chức {:04}-{:03}", c + 1, i + 1),
                kind: SubjectKind::Person,
                unit: format!("xa-{:04}", c + 1),
                post: POSTS[i % POSTS.len()].0.into(),
                months_worked: Some(12),
                months_absent: Some(0),
                manager: None,
            });
        }
    }
    // Calibrate on every core: each subject draws from its own stream, so the
    // result does not depend on how the work is split.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = servants.div_ceil(workers);
    let facts: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .chunks(chunk)
            .enumerate()
            .map(|(w, part)| {
                let calibrator = &calibrator;
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, &target)| {
                            let mut rng = Rng::for_item(seed, 335, (w * chunk + i) as u64);
                            calibrator.facts(
                                "civil-servant-decree-335",
                                samplers::civil_servant_decree_335,
                                target,
                                &mut rng,
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("calibration thread"))
            .collect()
    });
    let mut intended = BTreeMap::new();
    for t in &targets {
        *intended.entry(grade_code(*t).to_string()).or_default() += 1;
    }
    data.intended.insert("2025".into(), intended);
    data.facts.insert(
        "2025".into(),
        subjects.iter().map(|s| s.id.clone()).zip(facts).collect(),
    );
    data.organisation.subjects = subjects;
    Ok(data)
}
