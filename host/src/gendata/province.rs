//! The demo province, modelled on Tuyen Quang: 24 agency heads and 124 commune
//! chairs scored monthly (Decision 623: A only from 9 of 10 points), the tax
//! department's officers monthly, the public-service centre's clerks and the
//! culture department quarterly, and civil servants and commune officials for
//! the year under Decree 335 and the province's own card.

use std::collections::BTreeMap;

use super::samplers::{self, Facts};
use super::{Calibrator, DataSet, Rng, Sampler, grades};
use crate::org::{AssignmentRecord, PostRecord, SubjectKind, SubjectRecord, UnitRecord};
use crate::runtime::{self, Grade};
use crate::scoring::grade_code;

const AGENCIES: [(&str, &str); 24] = [
    ("so-noi-vu", "Sở Nội vụ"),
    ("so-tai-chinh", "Sở Tài chính"),
    ("so-tu-phap", "Sở Tư pháp"),
    ("so-xay-dung", "Sở Xây dựng"),
    ("so-cong-thuong", "Sở Công Thương"),
    ("so-nong-nghiep-moi-truong", "Sở Nông nghiệp và Môi trường"),
    ("so-giao-duc-dao-tao", "Sở Giáo dục và Đào tạo"),
    ("so-y-te", "Sở Y tế"),
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch"),
    ("so-khoa-hoc-cong-nghe", "Sở Khoa học và Công nghệ"),
    ("so-dan-toc-ton-giao", "Sở Dân tộc và Tôn giáo"),
    ("thanh-tra-tinh", "Thanh tra tỉnh"),
    ("van-phong-ubnd", "Văn phòng UBND tỉnh"),
    ("ban-quan-ly-kcn", "Ban Quản lý các khu công nghiệp"),
    (
        "dai-phat-thanh-truyen-hinh",
        "Đài Phát thanh và Truyền hình",
    ),
    (
        "ban-quan-ly-du-an-xay-dung",
        "Ban Quản lý dự án đầu tư xây dựng",
    ),
    ("trung-tam-xuc-tien-dau-tu", "Trung tâm Xúc tiến đầu tư"),
    (
        "ban-quan-ly-cong-vien-dia-chat",
        "Ban Quản lý Công viên địa chất",
    ),
    ("quy-dau-tu-phat-trien", "Quỹ Đầu tư phát triển"),
    ("truong-chinh-tri", "Trường Chính trị tỉnh"),
    ("bao-tuyen-quang", "Báo Tuyên Quang"),
    ("ban-dan-toc", "Ban Dân tộc tỉnh"),
    ("so-ngoai-vu", "Sở Ngoại vụ"),
    (
        "trung-tam-phuc-vu-hcc",
        "Trung tâm Phục vụ hành chính công tỉnh",
    ),
];

/// Syllables of commune names, with their codes.
const FIRST: [(&str, &str); 16] = [
    ("An", "an"),
    ("Bình", "binh"),
    ("Hòa", "hoa"),
    ("Minh", "minh"),
    ("Phú", "phu"),
    ("Tân", "tan"),
    ("Thái", "thai"),
    ("Trung", "trung"),
    ("Yên", "yen"),
    ("Kim", "kim"),
    ("Hồng", "hong"),
    ("Mỹ", "my"),
    ("Thượng", "thuong"),
    ("Hùng", "hung"),
    ("Vĩnh", "vinh"),
    ("Việt", "viet"),
];
const SECOND: [(&str, &str); 8] = [
    ("Lâm", "lam"),
    ("Sơn", "son"),
    ("Xuân", "xuan"),
    ("Quang", "quang"),
    ("Thành", "thanh"),
    ("Long", "long"),
    ("Hà", "ha"),
    ("Tiến", "tien"),
];

const FAMILY: [&str; 12] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Ma", "Nông",
];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quốc"];
const GIVEN: [&str; 16] = [
    "An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam",
    "Phương", "Quân", "Thảo", "Tuấn",
];

fn person(rng: &mut Rng) -> String {
    let pick = |rng: &mut Rng, xs: &[&str]| xs[rng.range(0, xs.len() as u64) as usize].to_string();
    format!(
        "{} {} {}",
        pick(rng, &FAMILY),
        pick(rng, &MIDDLE),
        pick(rng, &GIVEN)
    )
}

/// A unit; the province's agencies and communes publish their people's results.
fn unit(code: &str, name: &str, kind: &str, parent: Option<&str>) -> UnitRecord {
    UnitRecord {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        parent: parent.map(Into::into),
        publishes_people: matches!(kind, "agency" | "commune" | "service-centre"),
        grades_only: false,
        within_agency: false,
        leader_posts: Vec::new(),
    }
}

fn post(code: &str, title: &str, group: &str) -> PostRecord {
    PostRecord {
        code: code.into(),
        title: title.into(),
        task_group: group.into(),
        category: None,
        products: None,
    }
}

fn assign(post_type: &str, plugin: &str, unit: &str, from: &str) -> AssignmentRecord {
    AssignmentRecord {
        post_type: post_type.into(),
        plugin: plugin.into(),
        unit: unit.into(),
        from: from.into(),
    }
}

/// A group of subjects scored by one card for one period.
struct Cohort<'a> {
    period: &'a str,
    card: &'a str,
    sampler: Sampler,
    counts: &'a [(Grade, u64)],
}

/// The demo province.
pub fn province(seed: u64) -> runtime::Result<DataSet> {
    let calibrator = Calibrator::new()?;
    let mut rng = Rng::new(seed);
    let mut data = DataSet::default();
    let org = &mut data.organisation;
    org.units
        .push(unit("tuyen-quang", "Tỉnh Tuyên Quang", "province", None));
    for (code, name) in AGENCIES {
        org.units
            .push(unit(code, name, "agency", Some("tuyen-quang")));
    }
    let mut communes = Vec::new();
    'names: for (a, ac) in FIRST {
        for (b, bc) in SECOND {
            if communes.len() == 124 {
                break 'names;
            }
            communes.push((format!("xa-{ac}-{bc}"), format!("Xã {a} {b}")));
        }
    }
    for (code, name) in &communes {
        org.units
            .push(unit(code, name, "commune", Some("tuyen-quang")));
    }
    // The tax office does not publish its people's results; it shows them
    // to its own people, signed in (publication inside the agency).
    org.units.push(UnitRecord {
        within_agency: true,
        ..unit(
            "thue-tuyen-quang",
            "Thuế tỉnh Tuyên Quang",
            "tax-office",
            Some("tuyen-quang"),
        )
    });
    for team in 1..=3 {
        org.units.push(unit(
            &format!("thue-tuyen-quang-doi-{team}"),
            &format!("Đội Thuế số {team}"),
            "tax-team",
            Some("thue-tuyen-quang"),
        ));
    }
    org.units.push(unit(
        "ttpvhcc-phuong-ha-giang-2",
        "Trung tâm Phục vụ hành chính công phường Hà Giang 2",
        "service-centre",
        Some("tuyen-quang"),
    ));
    org.posts = vec![
        post(
            "provincial-agency-head",
            "Thủ trưởng cơ quan, đơn vị thuộc UBND tỉnh",
            "agency-head",
        ),
        post("commune-chair", "Chủ tịch UBND xã", "commune-chair"),
        post("commune-official", "Công chức cấp xã", "commune-official"),
        post("tax-officer", "Công chức thuế", "tax-collection"),
        post("one-stop-clerk", "Công chức một cửa", "one-stop"),
        post(
            "culture-department",
            "Sở Văn hóa, Thể thao và Du lịch (đơn vị)",
            "department",
        ),
        post("civil-servant", "Công chức chuyên môn", "specialist"),
    ];
    org.assignments = vec![
        assign(
            "provincial-agency-head",
            "tuyenquang/provincial-leader-monthly@^1",
            "tuyen-quang",
            "2025-01",
        ),
        assign(
            "commune-chair",
            "tuyenquang/provincial-leader-monthly@^1",
            "tuyen-quang",
            "2025-01",
        ),
        assign(
            "tax-officer",
            "tuyenquang-tax/tax-officer@^1",
            "thue-tuyen-quang",
            "2025-01",
        ),
        assign(
            "one-stop-clerk",
            "hagiang-ward2-pasc/service-centre-clerk@^1",
            "ttpvhcc-phuong-ha-giang-2",
            "2025-01",
        ),
        assign(
            "culture-department",
            "tuyenquang-culture/culture-department@^1",
            "so-vhttdl",
            "2025-01",
        ),
        assign(
            "civil-servant",
            "moha/civil-servant-decree-335@^1",
            "tuyen-quang",
            "2025-01",
        ),
        assign(
            "commune-official",
            "tuyenquang/commune-official@^1",
            "tuyen-quang",
            "2025-01",
        ),
    ];

    // Who is scored, and the grade each is calibrated to.
    let mut groups: Vec<(Cohort, Vec<SubjectRecord>)> = Vec::new();
    let subject = |id: String, name: String, unit: &str, post: &str| SubjectRecord {
        id,
        name,
        kind: SubjectKind::Person,
        unit: unit.into(),
        post: post.into(),
        months_worked: None,
        months_absent: None,
        manager: None,
    };
    // September 2025 as reported: agency heads 4 excellent, 16 good, 5 completed
    // (25 by the counts; 24 people here, one fewer good); commune chairs 10, 88, 26.
    let heads = AGENCIES
        .iter()
        .map(|(code, _)| {
            subject(
                format!("thu-truong-{code}"),
                person(&mut rng),
                code,
                "provincial-agency-head",
            )
        })
        .collect();
    groups.push((
        Cohort {
            period: "2025-09",
            card: "provincial-leader-monthly",
            sampler: samplers::provincial_leader_monthly,
            counts: &[(Grade::A, 4), (Grade::B, 15), (Grade::C, 5)],
        },
        heads,
    ));
    let chairs = communes
        .iter()
        .map(|(code, _)| {
            subject(
                format!("chu-tich-{code}"),
                person(&mut rng),
                code,
                "commune-chair",
            )
        })
        .collect();
    groups.push((
        Cohort {
            period: "2025-09",
            card: "provincial-leader-monthly",
            sampler: samplers::provincial_leader_monthly,
            counts: &[(Grade::A, 10), (Grade::B, 88), (Grade::C, 26)],
        },
        chairs,
    ));
    let officers = (1..=30)
        .map(|i| {
            let team = format!("thue-tuyen-quang-doi-{}", 1 + (i - 1) % 3);
            subject(
                format!("can-bo-thue-{i:03}"),
                person(&mut rng),
                &team,
                "tax-officer",
            )
        })
        .collect();
    groups.push((
        Cohort {
            period: "2025-09",
            card: "tax-officer",
            sampler: samplers::tax_officer,
            counts: &[(Grade::A, 6), (Grade::B, 17), (Grade::C, 6), (Grade::D, 1)],
        },
        officers,
    ));
    let clerks = (1..=12)
        .map(|i| {
            subject(
                format!("mot-cua-ha-giang-2-{i:02}"),
                person(&mut rng),
                "ttpvhcc-phuong-ha-giang-2",
                "one-stop-clerk",
            )
        })
        .collect();
    groups.push((
        Cohort {
            period: "2025-Q3",
            card: "service-centre-clerk",
            sampler: samplers::service_centre_clerk,
            counts: &[(Grade::A, 3), (Grade::B, 7), (Grade::C, 2)],
        },
        clerks,
    ));
    let culture = vec![SubjectRecord {
        kind: SubjectKind::Unit,
        ..subject(
            "don-vi-so-vhttdl".into(),
            "Sở Văn hóa, Thể thao và Du lịch".into(),
            "so-vhttdl",
            "culture-department",
        )
    }];
    groups.push((
        Cohort {
            period: "2025-Q3",
            card: "culture-department",
            sampler: samplers::culture_department,
            counts: &[(Grade::B, 1)],
        },
        culture,
    ));
    // Civil servants in ten agencies: more excellent than the quota allows.
    let servants = AGENCIES
        .iter()
        .take(10)
        .flat_map(|(code, _)| (1..=6).map(move |i| (code, i)))
        .map(|(code, i)| SubjectRecord {
            months_worked: Some(12),
            months_absent: Some(0),
            ..subject(
                format!("cong-chuc-{code}-{i}"),
                String::new(),
                code,
                "civil-servant",
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|mut s| {
            s.name = person(&mut rng);
            s
        })
        .collect();
    groups.push((
        Cohort {
            period: "2025",
            card: "civil-servant-decree-335",
            sampler: samplers::civil_servant_decree_335,
            counts: &[(Grade::A, 14), (Grade::B, 36), (Grade::C, 8), (Grade::D, 2)],
        },
        servants,
    ));
    let officials = communes
        .iter()
        .take(30)
        .map(|(code, _)| {
            subject(
                format!("cong-chuc-{code}"),
                person(&mut rng),
                code,
                "commune-official",
            )
        })
        .collect();
    groups.push((
        Cohort {
            period: "2025",
            card: "commune-official",
            sampler: samplers::commune_official,
            counts: &[(Grade::A, 6), (Grade::B, 18), (Grade::C, 6)],
        },
        officials,
    ));

    for (cohort, subjects) in groups {
        let targets = grades(cohort.counts, &mut rng);
        assert_eq!(targets.len(), subjects.len(), "{} counts", cohort.card);
        let sheets = data.facts.entry(cohort.period.to_string()).or_default();
        let intended = data
            .intended
            .entry(cohort.period.to_string())
            .or_insert_with(BTreeMap::new);
        for (s, target) in subjects.iter().zip(targets) {
            let facts: Facts = calibrator.facts(cohort.card, cohort.sampler, target, &mut rng);
            *intended.entry(grade_code(target).to_string()).or_default() += 1;
            sheets.push((s.id.clone(), facts));
        }
        data.organisation.subjects.extend(subjects);
    }
    Ok(data)
}
