import pytest

from carebridge.institutions.models import Department, Doctor
from carebridge.institutions.pinyin import pinyin_keys
from carebridge.institutions.search import normalise_query, search_departments, search_doctors

pytestmark = pytest.mark.django_db


def names(results):
    return [r.name for r in results]


class TestPinyinKeys:
    def test_a_department_name_gets_its_phrase_reading(self):
        keys = pinyin_keys("重症医学科")
        assert (keys.pinyin, keys.initials) == ("zhongzhengyixueke", "zzyxk")

    def test_a_polyphonic_surname_is_read_as_a_surname_and_kept_in_its_everyday_reading(self):
        keys = pinyin_keys("单小明", person=True)
        assert (keys.pinyin, keys.initials) == ("shanxiaoming", "sxm")
        assert (keys.pinyin_alt, keys.initials_alt) == ("danxiaoming", "dxm")

    @pytest.mark.parametrize(
        "name, pinyin",
        [("曾志伟", "zengzhiwei"), ("区伟", "ouwei"), ("解放", "xiefang"), ("尉迟恭", "yuchigong")],
    )
    def test_surname_table_readings(self, name, pinyin):
        assert pinyin_keys(name, person=True).pinyin == pinyin

    def test_an_ordinary_surname_has_no_alternative(self):
        keys = pinyin_keys("张三", person=True)
        assert (keys.pinyin, keys.initials, keys.pinyin_alt) == ("zhangsan", "zs", "")

    def test_u_umlaut_is_written_v_as_on_phone_keyboards(self):
        assert pinyin_keys("吕布", person=True).pinyin == "lvbu"


class TestNormaliseQuery:
    @pytest.mark.parametrize(
        "typed, expected",
        [
            ("  Zhang  San ", "zhang san"),
            ("zhāng", "zhang"),
            ("lü", "lv"),
            ("张 三", "张 三"),
            ("ＺＳ", "zs"),
        ],
    )
    def test_it_tidies_what_a_patient_typed(self, typed, expected):
        assert normalise_query(typed) == expected


class TestSearchKeysOnSave:
    def test_renaming_a_doctor_with_update_fields_refreshes_the_keys(self, catalogue):
        doctor = catalogue.zhang_wei
        doctor.name = "曾伟"
        doctor.save(update_fields=["name"])
        doctor.refresh_from_db()
        assert (doctor.name_pinyin, doctor.name_initials) == ("zengwei", "zw")
        assert (doctor.name_pinyin_alt, doctor.name_initials_alt) == ("cengwei", "cw")

    def test_a_save_of_other_fields_leaves_the_keys_alone(self, catalogue):
        Doctor.objects.filter(pk=catalogue.li.pk).update(name_pinyin="stale")
        doctor = Doctor.objects.get(pk=catalogue.li.pk)
        doctor.specialty = "房颤"
        doctor.save(update_fields=["specialty"])
        doctor.refresh_from_db()
        assert doctor.name_pinyin == "stale"

    def test_department_keys_follow_its_name(self, catalogue):
        assert (catalogue.cardio.name_pinyin, catalogue.cardio.name_initials) == (
            "xinxueguanneike",
            "xxgnk",
        )


class TestSearchDoctors:
    def test_it_finds_doctors_by_surname_in_chinese(self, hospital, catalogue):
        assert set(names(search_doctors(hospital, "张"))) == {"张三", "张伟"}

    def test_it_finds_a_doctor_by_full_pinyin_with_spaces_and_capitals(self, hospital, catalogue):
        assert names(search_doctors(hospital, "Zhang San")) == ["张三"]

    def test_it_finds_a_doctor_by_initials(self, hospital, catalogue):
        assert names(search_doctors(hospital, "zs")) == ["张三"]

    def test_it_finds_doctors_by_pinyin_prefix(self, hospital, catalogue):
        assert set(names(search_doctors(hospital, "zhang"))) == {"张三", "张伟"}

    def test_pinyin_with_tone_marks_matches(self, hospital, catalogue):
        assert set(names(search_doctors(hospital, "zhāng"))) == {"张三", "张伟"}

    def test_it_finds_a_doctor_by_specialty(self, hospital, catalogue):
        assert names(search_doctors(hospital, "哮喘")) == ["张三"]

    @pytest.mark.parametrize("typed", ["shan", "sxm", "dan", "dxm"])
    def test_a_polyphonic_surname_is_found_by_both_readings(self, hospital, catalogue, typed):
        assert "单小明" in names(search_doctors(hospital, typed))

    def test_zeng_and_ou_surnames_are_found_by_their_surname_reading(self, hospital, catalogue):
        assert names(search_doctors(hospital, "zeng")) == ["曾志伟"]
        assert names(search_doctors(hospital, "ouw")) == ["区伟"]

    def test_exact_name_ranks_before_a_longer_name(self, hospital, catalogue):
        Doctor.objects.create(institution=hospital, name="张三丰", title="医师")
        assert names(search_doctors(hospital, "张三"))[:2] == ["张三", "张三丰"]

    def test_initials_rank_before_pinyin_prefix(self, hospital, catalogue):
        # 朱红 has initials "zh"; 张三 and 张伟 only start their pinyin with "zh".
        assert names(search_doctors(hospital, "zh"))[0] == "朱红"
        assert set(names(search_doctors(hospital, "zh"))[1:]) == {"张三", "张伟"}

    def test_a_name_match_ranks_before_a_specialty_match(self, hospital, catalogue):
        # 王心怡 has 心 in her name; 张伟 (冠心病) and 李四 (心律失常) only in their specialty.
        results = names(search_doctors(hospital, "心"))
        assert results[0] == "王心怡"
        assert set(results[1:]) == {"张伟", "李四"}

    def test_an_english_name_matches(self, hospital, catalogue):
        assert names(search_doctors(hospital, "zhang san")) == ["张三"]

    def test_inactive_doctors_are_not_found(self, hospital, catalogue):
        catalogue.zhang_san.is_active = False
        catalogue.zhang_san.save(update_fields=["is_active"])
        assert names(search_doctors(hospital, "zs")) == []

    def test_another_institutions_doctors_are_not_found(self, hospital, catalogue, other):
        results = search_doctors(hospital, "张三")
        assert [d.institution_id for d in results] == [hospital.pk]

    @pytest.mark.parametrize("typed", ["%", "_", "\\", "'", "z%s", "😀", "   "])
    def test_odd_characters_match_nothing_rather_than_everything(self, hospital, catalogue, typed):
        assert names(search_doctors(hospital, typed)) == []


class TestSearchDepartments:
    def test_by_chinese_prefix_pinyin_and_initials(self, hospital, catalogue):
        assert names(search_departments(hospital, "儿")) == ["儿科"]
        assert names(search_departments(hospital, "xinxue")) == ["心血管内科"]
        assert names(search_departments(hospital, "zzyx")) == ["重症医学科"]

    def test_a_name_containing_the_text_is_found(self, hospital, catalogue):
        assert names(search_departments(hospital, "内科")) == ["心血管内科"]

    def test_english_name(self, hospital, catalogue):
        assert names(search_departments(hospital, "cardio")) == ["心血管内科"]

    def test_inactive_departments_are_not_found(self, hospital, catalogue):
        Department.objects.filter(pk=catalogue.paeds.pk).update(is_active=False)
        assert names(search_departments(hospital, "erke")) == []
