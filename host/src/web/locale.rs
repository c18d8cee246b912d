//! The dashboard's two languages: every word a page shows, in Vietnamese (the
//! default, with full diacritics) and in English, and numbers, dates and
//! periods as each language writes them (1.234,5 beside 1,234.5).

pub use crate::explain::Lang;

/// Declares [`Words`] and its two instances from one list, so a word cannot
/// exist in one language and be missing in the other.
macro_rules! words {
    ($($field:ident: $vi:literal / $en:literal,)*) => {
        /// Every word of the pages' chrome, in one language.
        pub struct Words {
            $(#[doc = $en] pub $field: &'static str,)*
        }
        /// Tiếng Việt.
        pub const VI: Words = Words { $($field: $vi,)* };
        /// English.
        pub const EN: Words = Words { $($field: $en,)* };
    };
}

words! {
    site: "thuocdo — thước đo" / "thuocdo — the yardstick",
    tagline: "Đánh giá cán bộ, công chức theo kết quả công việc" / "Public servants measured by what they deliver",
    home: "Trang chủ" / "Home",
    catalogue: "Danh mục phiếu đánh giá" / "Scorecard catalogue",
    sandbox: "Thử nghiệm chính sách" / "Policy sandbox",
    sign_in: "Đăng nhập" / "Sign in",
    sign_out: "Đăng xuất" / "Sign out",
    signed_in_as: "Đăng nhập với tên" / "Signed in as",
    stale_token: "Phiên đăng nhập đã kết thúc; bạn đang xem với tư cách công chúng." / "Your session has ended; you are reading as the public.",
    token: "Mã truy cập" / "Token",
    token_help: "Dán mã truy cập do quản trị viên cấp (thuocdo token create). Trang mở một phiên đăng nhập; trình duyệt chỉ giữ mã phiên, không giữ mã truy cập." / "Paste the token an administrator gave you (thuocdo token create). Signing in opens a session: this browser keeps the session's id, not the token.",
    runs: "Các kỳ đánh giá" / "Evaluation runs",
    run: "Lượt chấm" / "Run",
    period: "Kỳ" / "Period",
    scope: "Phạm vi" / "Scope",
    whole_organisation: "Toàn tỉnh" / "Whole organisation",
    status: "Trạng thái" / "Status",
    started: "Bắt đầu" / "Started",
    finished: "Kết thúc" / "Finished",
    started_by: "Người chạy" / "Started by",
    official: "Chính thức" / "Official",
    no_runs: "Chưa có lượt chấm nào." / "No runs yet.",
    status_running: "đang chạy" / "running",
    status_complete: "hoàn tất" / "complete",
    status_failed: "thất bại" / "failed",
    overview: "Tổng quan kỳ đánh giá" / "Period overview",
    subjects: "Đối tượng" / "Subjects",
    scored: "Đã chấm" / "Scored",
    refused: "Thiếu hoặc sai số liệu" / "Refused (missing or invalid facts)",
    faults: "Lỗi phiếu" / "Scorecard faults",
    unassigned: "Chưa gán phiếu" / "No scorecard assigned",
    demoted: "Hạ loại do hạn mức" / "Lowered by a quota",
    other_period: "Chấm theo kỳ khác (quý, năm)" / "Scored for another kind of period",
    not_graded: "Không xếp loại" / "Not graded",
    distribution: "Phân bố xếp loại theo loại đơn vị" / "Grade distribution by unit type",
    unit_type: "Loại đơn vị" / "Unit type",
    total_row: "Tổng" / "Total",
    units_ranked: "Xếp hạng đơn vị" / "Units ranked",
    units_shown: "Đơn vị thứ" / "Units",
    official_results: "Kết quả chính thức" / "Official results",
    see_overview: "Xem tổng quan kỳ đánh giá" / "See the period's overview",
    search: "Tìm đơn vị, cán bộ" / "Find a unit or a person",
    search_label: "Tên" / "Name",
    search_hint: "vd. xa an lam" / "e.g. xa an lam",
    search_button: "Tìm" / "Search",
    all_runs: "Các lượt chấm" / "All runs",
    search_results: "Kết quả tìm kiếm" / "Search results",
    search_none: "Không tìm thấy." / "Nothing found.",
    search_units: "Đơn vị" / "Units",
    search_people: "Cán bộ, công chức" / "People",
    search_short: "Nhập ít nhất 2 ký tự." / "Type at least 2 characters.",
    trend: "Diễn biến qua các kỳ chính thức" / "Across the official periods",
    history: "Kết quả các kỳ chính thức" / "Official results over time",
    of_all: "trong tổng số" / "of",
    earlier_page: "← Trang trước" / "← Previous page",
    later_page: "Trang sau →" / "Next page →",
    rank: "Hạng" / "Rank",
    unit: "Đơn vị" / "Unit",
    mean_total: "Điểm trung bình" / "Mean total",
    red_indicators: "Chỉ tiêu đỏ" / "Red indicators",
    yellow_indicators: "Chỉ tiêu vàng" / "Yellow indicators",
    none: "không có" / "none",
    downloads: "Tải kết quả" / "Download results",
    scorecards_used: "Phiếu đánh giá đã dùng" / "Scorecards used",
    version: "Phiên bản" / "Version",
    hash: "Mã băm SHA-256" / "SHA-256",
    engine: "Bộ máy chấm" / "Engine",
    progress: "Tiến độ lượt chấm" / "Run progress",
    stage: "Giai đoạn" / "Stage",
    refreshes: "Trang tự làm mới mỗi 2 giây." / "This page refreshes every 2 seconds.",
    failed_because: "Lượt chấm thất bại" / "The run failed",
    people: "Cán bộ, công chức" / "People",
    name: "Họ tên" / "Name",
    post: "Vị trí việc làm" / "Post",
    grade: "Xếp loại" / "Grade",
    computed_grade: "Xếp loại theo điểm" / "Grade by points",
    total: "Tổng điểm" / "Total",
    quota: "Hạn mức" / "Quota",
    err_not_a_run_id: "`{}` không phải số hiệu lượt chấm" / "`{}` is not a run id",
    err_no_run: "Không có lượt chấm số {}" / "there is no run {}",
    err_no_unit: "Không có đơn vị `{}`" / "there is no unit `{}`",
    err_no_result: "Lượt chấm này không có kết quả của `{}` mà bạn được xem: kết quả từng người chỉ công khai ở đơn vị công khai chúng" / "this run holds no result for `{}` that you may see: per-person results are public only where a unit publishes them",
    err_not_published: "{} không công khai kết quả từng người: chỉ công khai số liệu tổng hợp" / "{} does not publish per-person results: only its aggregates are public",
    err_bad_request: "Địa chỉ hoặc biểu mẫu này không đọc được" / "This address or form cannot be read",
    err_unauthorized: "Chưa có mã truy cập, hoặc mã đã hết hiệu lực" / "No token, or not a live one",
    err_forbidden: "Vai trò hoặc phạm vi của mã truy cập này không cho phép việc này" / "This token's role or scope does not allow it",
    err_not_found: "Không có nội dung mang tên hoặc số hiệu này" / "Nothing has that name or id",
    err_conflict: "Bị từ chối vì tình trạng hiện tại: kỳ đã khoá, phiên bản đã có, hoặc lượt chấm chưa xong" / "Refused by the state of things: a locked period, an existing version, or a run not complete",
    err_refused: "Nội dung gửi lên bị từ chối" / "What was sent is refused",
    err_busy: "Đang có quá nhiều yêu cầu cùng lúc; hãy thử lại sau ít phút" / "Too many at once; try again shortly",
    err_in_english: "Chi tiết (bằng tiếng Anh)" / "Details",
    err_internal: "Máy chủ gặp lỗi khi trả lời yêu cầu này; nhật ký ghi nguyên nhân theo mã yêu cầu {}" / "the host failed to answer this request; its log has the cause under request id {}",
    fuel: "Nhiên liệu đã dùng (fuel)" / "Fuel used",
    facts_hash: "SHA-256 của các dữ kiện" / "Facts SHA-256",
    not_published: "Đơn vị này không công khai kết quả từng người; chỉ công khai số liệu tổng hợp." / "This unit does not publish per-person results; only its aggregates are public.",
    sub_units: "Đơn vị trực thuộc" / "Units within",
    parent_unit: "Đơn vị cấp trên" / "Parent unit",
    served_here: "Công tác tại đơn vị một phần kỳ, nay thuộc đơn vị khác" / "Served here for part of the period, now in another unit",
    served_months: "Các tháng tại đơn vị" / "Months here",
    now_in: "Nay thuộc" / "Now in",
    where_served: "Nơi công tác trong kỳ (xếp loại tại đơn vị cuối kỳ)" / "Where they served in the period (graded by the unit at its end)",
    months_word: "tháng" / "months",
    in_all: "Tổng cộng" / "In all",
    outcome: "Kết quả" / "Outcome",
    outcome_refused: "không chấm được (thiếu hoặc sai số liệu)" / "not scored (missing or invalid facts)",
    outcome_not_evaluated: "không đánh giá kỳ này" / "not evaluated this period",
    outcome_fault: "không chấm được (lỗi phiếu)" / "not scored (scorecard fault)",
    scorecard: "Phiếu đánh giá" / "Scorecard",
    indicators: "Chỉ tiêu" / "Indicators",
    indicator: "Chỉ tiêu" / "Indicator",
    factor: "Yếu tố" / "Factor",
    formula: "Cách tính" / "Formula",
    raw_value: "Giá trị" / "Value",
    score: "Điểm" / "Score",
    points: "Điểm theo yếu tố" / "Points by factor",
    weight: "Trọng số" / "Weight",
    light: "Đèn" / "Light",
    explanation: "Diễn giải" / "Explanation",
    caps: "Giới hạn xếp loại" / "Caps on the grade",
    caps_none: "Không có giới hạn nào áp dụng." / "No cap applied.",
    caps_hidden: "Lý do giới hạn xếp loại (như kỷ luật) chỉ người được đánh giá, người quản lý và quản trị viên được xem." / "Cap reasons (such as discipline) are shown only to the person, their managers and admins.",
    quota_decision: "Quyết định theo hạn mức" / "Quota decision",
    quota_none: "Không hạn mức nào thay đổi xếp loại." / "No quota changed the grade.",
    quota_lowered: "Hạ từ" / "Lowered from",
    quota_to: "xuống" / "to",
    facts: "Số liệu cá nhân" / "Personal facts",
    fact: "Số liệu" / "Fact",
    value: "Giá trị" / "Value",
    source: "Nguồn" / "Source",
    missing: "thiếu" / "missing",
    computed_by: "Được chấm bởi" / "Computed by",
    why_not_scored: "Lý do" / "Why",
    applies_to: "Áp dụng cho" / "Applies to",
    period_kind: "Chu kỳ" / "Period",
    published: "Công bố" / "Published",
    published_by: "Người công bố" / "Published by",
    yanked: "đã thu hồi" / "yanked",
    prerelease: "bản thử" / "pre-release",
    basis: "Căn cứ" / "Legal basis",
    description: "Mô tả" / "Description",
    direction: "Chiều tốt" / "Better when",
    higher: "cao hơn" / "higher",
    lower: "thấp hơn" / "lower",
    neutral: "trung tính" / "neutral",
    green_from: "Xanh từ" / "Green from",
    red_at: "Đỏ tại" / "Red at",
    max_score: "Điểm tối đa" / "Max score",
    bands: "Thang xếp loại" / "Grading bands",
    min_total: "Từ tổng điểm" / "From total",
    below_last_band: "Dưới mức thấp nhất" / "Below the last band",
    max_grade: "Xếp loại cao nhất" / "Best grade allowed",
    reason: "Lý do" / "Reason",
    cohort_rules: "Quy tắc theo nhóm" / "Cohort rules",
    share_of: "tối đa bằng" / "at most",
    scale: "Thang điểm" / "Scale",
    step: "bước làm tròn" / "rounding step",
    range: "Khoảng cho phép" / "Allowed range",
    when_missing: "Khi thiếu" / "When missing",
    required: "bắt buộc" / "required",
    no_data: "chưa có số liệu" / "no data",
    no_data_score: "Điểm khi thiếu số liệu" / "Score without data",
    from_results: "tính từ kết quả các kỳ ngắn hơn" / "drawn from the shorter periods' results",
    from_led_results: "tính từ kết quả của những người được lãnh đạo" / "drawn from the results of the people led",
    assessed: "do người đánh giá ghi nhận" / "recorded by the assessors",
    contract: "Hợp đồng giao diện" / "Contract",
    drafts: "Bản dự thảo" / "Drafts",
    no_drafts: "Chưa có bản dự thảo nào. Tải lên bằng: thuocdo sandbox upload FILE.wasm" / "No drafts yet. Upload one with: thuocdo sandbox upload FILE.wasm",
    uploaded: "Tải lên" / "Uploaded",
    compare: "So sánh" / "Compare",
    post_type_optional: "Vị trí (không bắt buộc)" / "Post type (optional)",
    what_if: "Kết quả giả định" / "What-if",
    official_runs: "Lượt chấm chính thức" / "Official runs",
    compared: "Đã so sánh" / "Compared",
    not_compared: "Không so sánh được" / "Not compared",
    transitions: "Ma trận chuyển loại (sau hạn mức)" / "Transition matrix (after quotas)",
    transitions_computed: "Ma trận chuyển loại (theo điểm, trước hạn mức)" / "Transition matrix (by points, before quotas)",
    official_grade: "Loại chính thức ↓ / dự thảo →" / "Official grade ↓ / draft →",
    deltas: "Thay đổi tổng điểm" / "Change of total",
    mean: "Trung bình" / "Mean",
    median: "Trung vị" / "Median",
    p95_abs: "P95 độ lớn" / "P95 size",
    max_abs: "Lớn nhất" / "Largest",
    movers: "Người thay đổi xếp loại" / "Who would move",
    no_movers: "Không ai thay đổi xếp loại." / "Nobody's grade would change.",
    movers_withheld: "người nữa thay đổi xếp loại ở các đơn vị không công khai kết quả từng người (đã tính trong số liệu tổng hợp)." / "more change grade in units that do not publish per-person results (counted in the figures above).",
    before: "Trước" / "Before",
    after: "Sau" / "After",
    moved_most: "Chỉ tiêu thay đổi nhiều nhất" / "Indicators that moved most",
    coverage: "Số liệu còn thiếu" / "Facts missing",
    of: "trên" / "of",
    error: "Lỗi" / "Error",
    back_home: "Về trang chủ" / "Back to the start",
    per_unit_type: "theo loại đơn vị" / "per unit type",
    assessment: "Đánh giá, xếp loại" / "Assessment",
    assessments: "Đánh giá của đơn vị" / "The unit's assessments",
    my_assessments: "Đánh giá của tôi" / "My assessments",
    open_period: "Mở kỳ" / "Open period",
    welcome: "Đăng nhập bằng mã" / "Sign in with a code",
    code: "Mã đăng nhập" / "Sign-in code",
    code_help: "Nhập mã do quản trị viên đơn vị cấp (12 ký tự, chữ hoa hay thường, có hay không có dấu gạch). Mỗi mã chỉ dùng được một lần." / "Type the code your unit's administrator gave you (12 characters; case and dashes do not matter). Each code works once.",
    state: "Tình trạng" / "State",
    state_open: "chưa bắt đầu" / "not started",
    state_self_assessed: "đã tự đánh giá" / "self-assessed",
    state_collective_recorded: "tập thể đã góp ý" / "collective's comments recorded",
    state_manager_assessed: "người quản lý đã đánh giá — sẵn sàng" / "assessed by the manager — ready",
    procedure_step: "Bước" / "Step",
    step_self: "Cá nhân tự đánh giá" / "Self-assessment",
    step_collective: "Tập thể nhận xét, góp ý" / "The collective's comments",
    step_manager: "Người quản lý trực tiếp đánh giá" / "The direct manager's assessment",
    due: "Hạn" / "Due",
    done_by: "Người thực hiện" / "Done by",
    late: "trễ hạn" / "late",
    overdue: "quá hạn" / "overdue",
    self_value: "Tự chấm" / "Self",
    collective_value: "Tập thể" / "Collective",
    manager_value: "Quản lý chấm" / "Manager",
    gap: "Chênh lệch" / "Gap",
    comment: "Nhận xét" / "Comment",
    review: "Tự nhận xét" / "Own review",
    minutes: "Biên bản góp ý của tập thể" / "The collective's minutes",
    meeting_date: "Ngày họp" / "Meeting date",
    attended: "Người dự (mỗi dòng một người)" / "Who attended (one per line)",
    votes_for: "Số phiếu đồng ý" / "Votes for",
    votes_against: "Số phiếu không đồng ý" / "Votes against",
    record: "Ghi nhận" / "Record",
    form_title: "Phiếu đánh giá, xếp loại chất lượng" / "Assessment and classification form",
    report_title: "Báo cáo kết quả đánh giá, xếp loại" / "Classification report",
    signatures: "Chữ ký" / "Signatures",
    sign_servant: "Người tự đánh giá" / "The servant",
    sign_manager: "Người quản lý trực tiếp" / "The direct manager",
    sign_head: "Thủ trưởng cơ quan, đơn vị" / "The head of the agency",
    sign_here: "(Ký, ghi rõ họ tên)" / "(signature, full name)",
    decision: "Quyết định xếp loại" / "Decision",
    appeal: "Kiến nghị" / "Appeal",
    appeal_file: "Gửi kiến nghị" / "File an appeal",
    contested: "Nội dung kiến nghị" / "What is contested",
    answer: "Trả lời kiến nghị" / "Answer the appeal",
    answer_due: "Hạn trả lời" / "To be answered by",
    upheld: "chấp nhận" / "upheld",
    filed: "đã gửi, chờ trả lời" / "filed, awaiting an answer",
    rejected: "không chấp nhận" / "rejected",
    corrected_facts: "Dữ kiện điều chỉnh (mỗi dòng tên=giá trị)" / "Corrected facts (one name=value a line)",
    notice: "Thông báo kết quả đánh giá, xếp loại" / "Notice of the assessment's result",
    notices: "Thông báo kết quả" / "Notices of results",
    appeal_until: "Hạn kiến nghị" / "Appeal by",
    decided_by: "Người quyết định" / "Decided by",
    unread: "chưa đọc" / "unread",
    corrected: "Kết quả đã được điều chỉnh" / "The result was corrected",
    correction_revision: "Lần điều chỉnh" / "Revision",
    was: "Trước đây" / "Was",
    correction_of: "Do điều chỉnh dữ kiện của" / "From the corrected facts of",
    correction_choice: "Do người có thẩm quyền lựa chọn giữa những người bằng điểm tại" / "From the competent person's choice among the tied in",
    changed_results: "Kết quả thay đổi" / "Results changed",
    changed_count: "Số kết quả thay đổi" / "Results changed in all",
    person_id: "Mã người" / "Person",
    preview: "Xem trước kết quả điều chỉnh" / "Preview the correction",
    preview_says: "Nếu chấp nhận với các dữ kiện này:" / "Upheld with these facts:",
    drawn_from_this: "Kết quả kỳ được tổng hợp từ kỳ này, kỳ" / "Built from this period: the results of",
    tie_title: "Bằng điểm tại giới hạn tỷ lệ: người có thẩm quyền lựa chọn" / "Tied at the quota's boundary: the competent person chooses",
    tie_places: "Số người được giữ" / "Places",
    tie_keep: "Người được giữ mức xếp loại" / "Who keep the grade",
    tie_choose: "Lựa chọn" / "Choose",
    evidence_file: "Tài liệu kèm theo (PDF, PNG, JPEG; tối đa 5 MiB)" / "Evidence (PDF, PNG, JPEG; at most 5 MiB)",
    evidence_add: "Gửi tài liệu" / "Add the file",
    nothing_assessed: "Phiếu đánh giá của vị trí này không có tiêu chí do người đánh giá chấm." / "This post's scorecard has people assess no criterion.",
}

impl Lang {
    /// The language a code names: `vi` or `en`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Its code, for `<html lang>` and links.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Its words.
    pub fn words(self) -> &'static Words {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// A count with its thousands marked: 12.345 in Vietnamese, 12,345 in English.
    pub fn count(self, n: usize) -> String {
        let digits = n.to_string();
        let mark = match self {
            Lang::Vi => '.',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(mark);
            }
            out.push(c);
        }
        out
    }

    /// A moment (ms since the epoch) in Vietnam's time (UTC+7, no daylight
    /// saving), where the periods and deadlines are: 02/12/2026 16:05 (GMT+7)
    /// or 2 Dec 2026, 16:05 ICT.
    pub fn datetime(self, millis: i64) -> String {
        let secs = millis.div_euclid(1000) + 7 * 3600;
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let of_day = secs.rem_euclid(86_400);
        let (hh, mm) = (of_day / 3600, of_day % 3600 / 60);
        match self {
            Lang::Vi => format!("{d:02}/{m:02}/{y} {hh:02}:{mm:02} (GMT+7)"),
            Lang::En => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                format!("{d} {} {y}, {hh:02}:{mm:02} ICT", MONTHS[(m - 1) as usize])
            }
        }
    }

    /// A period as people write it: "tháng 9/2025" or "September 2025";
    /// "quý III/2025" or "Q3 2025"; "năm 2025" or "2025". Anything else as given.
    pub fn period(self, period: &str) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        let (year, rest) = period.split_once('-').unwrap_or((period, ""));
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return period.to_string();
        }
        if rest.is_empty() {
            return match self {
                Lang::Vi => format!("năm {year}"),
                Lang::En => year.to_string(),
            };
        }
        if let Some(q) = rest.strip_prefix('Q').and_then(|q| q.parse::<usize>().ok())
            && (1..=4).contains(&q)
        {
            return match self {
                Lang::Vi => format!("quý {}/{year}", ROMAN[q - 1]),
                Lang::En => format!("Q{q} {year}"),
            };
        }
        match rest.parse::<usize>() {
            Ok(m) if (1..=12).contains(&m) => match self {
                Lang::Vi => format!("tháng {m}/{year}"),
                Lang::En => format!("{} {year}", MONTHS[m - 1]),
            },
            _ => period.to_string(),
        }
    }

    /// A grade code's short name: "xuất sắc" / "excellent".
    pub fn grade_word(self, code: &str) -> &'static str {
        match (code, self) {
            ("A", Lang::Vi) => "xuất sắc",
            ("B", Lang::Vi) => "tốt",
            ("C", Lang::Vi) => "hoàn thành",
            ("D", Lang::Vi) => "không hoàn thành",
            ("not-graded", Lang::Vi) => "không xếp loại",
            ("A", Lang::En) => "excellent",
            ("B", Lang::En) => "good",
            ("C", Lang::En) => "completed",
            ("D", Lang::En) => "not completed",
            ("not-graded", Lang::En) => "not graded",
            (_, Lang::Vi) => "không rõ",
            (_, Lang::En) => "unknown",
        }
    }

    /// A run's status in words.
    pub fn status(self, status: &str) -> &'static str {
        let w = self.words();
        match status {
            "running" => w.status_running,
            "complete" => w.status_complete,
            _ => w.status_failed,
        }
    }
}

impl Lang {
    /// A unit type's name; a type the dashboard does not know, as its code.
    pub fn kind(self, kind: &str) -> &str {
        match (kind, self) {
            ("province", Lang::Vi) => "tỉnh",
            ("province", Lang::En) => "province",
            ("agency", Lang::Vi) => "cơ quan, đơn vị thuộc tỉnh",
            ("agency", Lang::En) => "provincial agency",
            ("commune", Lang::Vi) => "xã, phường",
            ("commune", Lang::En) => "commune",
            ("tax-office", Lang::Vi) => "cơ quan thuế",
            ("tax-office", Lang::En) => "tax office",
            ("tax-team", Lang::Vi) => "đội thuế",
            ("tax-team", Lang::En) => "tax team",
            ("service-centre", Lang::Vi) => "trung tâm phục vụ hành chính công",
            ("service-centre", Lang::En) => "public-service centre",
            ("department", Lang::Vi) => "sở, ngành",
            ("department", Lang::En) => "department",
            _ => kind,
        }
    }
}

pub use crate::org::names::name_order;

/// The grade codes in the order tables and charts show them.
pub const GRADES: [&str; 5] = ["A", "B", "C", "D", "not-graded"];

/// Year, month and day of a day counted from 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_dates_and_periods_read_as_each_language_writes_them() {
        assert_eq!(Lang::Vi.count(1_234_567), "1.234.567");
        assert_eq!(Lang::En.count(1_234_567), "1,234,567");
        assert_eq!(Lang::En.count(999), "999");
        // 2026-12-02 09:05 UTC is 16:05 in Hà Nội.
        let at = 1_796_202_300_000;
        assert_eq!(Lang::Vi.datetime(at), "02/12/2026 16:05 (GMT+7)");
        assert_eq!(Lang::En.datetime(at), "2 Dec 2026, 16:05 ICT");
        // 2026-12-31 20:00 UTC is already the new year there.
        assert_eq!(
            Lang::Vi.datetime(1_798_747_200_000),
            "01/01/2027 03:00 (GMT+7)"
        );
        assert_eq!(Lang::Vi.period("2025-09"), "tháng 9/2025");
        assert_eq!(Lang::En.period("2025-09"), "September 2025");
        assert_eq!(Lang::Vi.period("2025-Q3"), "quý III/2025");
        assert_eq!(Lang::En.period("2025-Q3"), "Q3 2025");
        assert_eq!(Lang::Vi.period("2025"), "năm 2025");
        assert_eq!(Lang::En.period("2025-13"), "2025-13");
    }

    #[test]
    fn names_order_as_vietnamese_lists_do() {
        let mut names = vec![
            "Vũ Văn Bình",
            "Đặng Văn Hùng",
            "Lê Quốc Hạnh",
            "Hà Văn Dung",
            "Trần Minh Dung",
            "Ma Đức Tuấn",
            "Nguyễn Thị Ánh",
            "Lê Thu Anh",
            "Phạm Thị Ân",
            "Lê Văn Đức",
            "Ngô Thị An",
        ];
        names.sort_by(|a, b| name_order(a, b));
        assert_eq!(
            names,
            [
                "Ngô Thị An",
                "Lê Thu Anh",
                "Nguyễn Thị Ánh",
                "Phạm Thị Ân",
                "Vũ Văn Bình",
                "Hà Văn Dung",
                "Trần Minh Dung",
                "Lê Văn Đức",
                "Lê Quốc Hạnh",
                "Đặng Văn Hùng",
                "Ma Đức Tuấn",
            ]
        );
    }

    #[test]
    fn words_order_as_a_vietnamese_sorted_list_has_them() {
        // In the order of Wiktionary's Vietnamese sort-key test cases
        // (Module:vi-sortkey/testcases), the dictionaries' order: letters
        // first (a ă â … c d đ … h … o ô ơ … u ư … y, no digraphs, so "ngh"
        // before "ngo"), then tones a à ả ã á ạ.
        let sorted = [
            "a", "à", "ả", "ã", "á", "ạ", "ac", "àc", "ảc", "ãc", "ác", "ạc", "an", "àn", "ản",
            "ãn", "án", "ạn", "ă", "ằ", "ẳ", "ẵ", "ắ", "ặ", "ăc", "ắc", "ăn", "â", "ầ", "ấ", "ân",
            "công", "cửa", "đại", "nghề", "nghệ", "ngon", "ngón", "ngọn", "ngoy", "ngôi", "ngôn",
            "tâm", "thế", "toàn", "ư", "ừ", "ử", "ữ", "ứ", "ự", "y",
        ];
        for shuffled in [
            sorted.iter().rev().copied().collect::<Vec<_>>(),
            sorted
                .iter()
                .skip(25)
                .chain(sorted.iter().take(25))
                .copied()
                .collect(),
        ] {
            let mut names = shuffled;
            names.sort_by(|a, b| name_order(a, b));
            assert_eq!(names, sorted);
        }
    }
}
