"""Every About page renders in Chinese and English, only with the account's institution's rows."""

import pytest
from django.urls import reverse

from carebridge.institutions.models import Department, Doctor, Institution

pytestmark = pytest.mark.django_db


def url(name, *args, slug="renai"):
    return reverse(f"institutions:{name}", args=[slug, *args])


def page(client, name, *args, **kwargs):
    response = client.get(url(name, *args, **kwargs))
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


class TestHome:
    def test_it_links_every_about_page_like_the_menu(self, client, catalogue):
        html = page(client, "home")
        for name in ("about", "departments", "navigation"):
            assert f'href="{url(name)}"' in html
        for category in ("news", "notice", "education"):
            assert f"/h5/renai/news/?category={category}" in html
        assert "仁爱医院" in html

    def test_it_links_the_services_and_me_menus_too(self, client, catalogue):
        html = page(client, "home")
        for name in ("booking:departments", "booking:queues", "booking:appointments"):
            assert f'href="{reverse(name, args=["renai"])}"' in html
        assert f'href="{reverse("patients:list", args=["renai"])}"' in html

    def test_it_is_public_no_wechat_sign_in_needed(self, client, catalogue):
        response = client.get(url("home"))
        assert response.status_code == 200
        assert "wechat" not in client.session

    def test_it_renders_in_english(self, english, catalogue):
        html = page(english, "home")
        assert "Ren&#x27;ai Hospital" in html
        assert "Departments" in html and "Getting here" in html and "Book an appointment" in html

    def test_an_unknown_account_is_404(self, client, catalogue):
        assert client.get(url("home", slug="nosuch")).status_code == 404

    def test_an_inactive_institution_is_404(self, client, hospital, catalogue):
        Institution.objects.filter(pk=hospital.pk).update(is_active=False)
        assert client.get(url("about")).status_code == 404


class TestAbout:
    def test_it_shows_the_introduction_and_campuses(self, client, hospital, catalogue):
        hospital.introduction = "三级甲等综合医院。"
        hospital.phone = "021-88888888"
        hospital.save(update_fields=["introduction", "phone"])
        html = page(client, "about")
        assert "三级甲等综合医院。" in html
        assert "tel:021-88888888" in html
        assert "总院" in html and "东院" in html and "上海市黄浦区人民路100号" in html

    def test_english_falls_back_to_chinese_where_no_translation(self, english, catalogue):
        html = page(english, "about")
        assert "Main Campus" in html and "100 Renmin Road" in html
        assert "东院" in html  # no English name given
        assert "Campuses" in html


class TestDepartments:
    def test_departments_are_grouped_by_campus_in_order(self, client, catalogue):
        html = page(client, "departments")
        assert (
            html.index("总院") < html.index("儿科") < html.index("东院") < html.index("重症医学科")
        )
        assert f'action="{url("search")}"' in html

    def test_inactive_departments_and_other_institutions_are_left_out(
        self, client, catalogue, other
    ):
        Department.objects.filter(pk=catalogue.cardio.pk).update(is_active=False)
        html = page(client, "departments")
        assert "心血管内科" not in html
        assert "别家" not in html and "本部" not in html

    def test_it_renders_in_english(self, english, catalogue):
        html = page(english, "departments")
        assert "Paediatrics" in html and "Cardiology" in html and "重症医学科" in html

    def test_department_page_shows_introduction_location_and_its_doctors(self, client, catalogue):
        html = page(client, "department", catalogue.paeds.pk)
        assert "儿科门诊与病房。" in html and "门诊楼2层" in html
        for doctor in (catalogue.zhang_san, catalogue.shan, catalogue.wang):
            assert url("doctor", doctor.pk) in html
        assert url("doctor", catalogue.li.pk) not in html

    def test_department_page_in_english(self, english, catalogue):
        html = page(english, "department", catalogue.paeds.pk)
        assert "Children&#x27;s clinic and ward." in html
        assert "Outpatient building, 2F" in html and "Zhang San" in html

    def test_another_institutions_department_is_404(self, client, catalogue, other):
        assert client.get(url("department", other.department.pk)).status_code == 404

    def test_an_unknown_or_inactive_department_is_404(self, client, catalogue):
        assert client.get(url("department", 999999)).status_code == 404
        Department.objects.filter(pk=catalogue.icu.pk).update(is_active=False)
        assert client.get(url("department", catalogue.icu.pk)).status_code == 404

    def test_the_department_list_does_not_query_per_department(
        self, client, catalogue, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(6):
            page(client, "departments")


class TestDoctor:
    def test_it_shows_name_title_specialty_introduction_and_departments(self, client, catalogue):
        doctor = catalogue.zhang_san
        doctor.introduction = "从事儿科临床工作二十年。"
        doctor.save(update_fields=["introduction"])
        html = page(client, "doctor", doctor.pk)
        assert "张三" in html and "主任医师" in html and "小儿哮喘" in html
        assert "从事儿科临床工作二十年。" in html
        assert url("department", catalogue.paeds.pk) in html

    def test_it_shows_the_photo(self, client, catalogue):
        Doctor.objects.filter(pk=catalogue.zhang_san.pk).update(photo="doctors/zhang.jpg")
        html = page(client, "doctor", catalogue.zhang_san.pk)
        assert 'src="/media/doctors/zhang.jpg"' in html

    def test_it_renders_in_english(self, english, catalogue):
        html = page(english, "doctor", catalogue.zhang_san.pk)
        assert "Zhang San" in html and "Chief Physician" in html and "Specialty" in html
        assert "Paediatrics" in html

    def test_another_institutions_doctor_is_404(self, client, catalogue, other):
        assert client.get(url("doctor", other.doctor.pk)).status_code == 404

    def test_an_inactive_doctor_is_404(self, client, catalogue):
        Doctor.objects.filter(pk=catalogue.li.pk).update(is_active=False)
        assert client.get(url("doctor", catalogue.li.pk)).status_code == 404

    def test_other_accounts_ids_are_404_on_this_account_even_when_they_exist(
        self, client, catalogue, other
    ):
        # The same ids through the other account's slug are the other institution's rows.
        assert client.get(url("doctor", other.doctor.pk, slug="other")).status_code == 200
        assert client.get(url("doctor", catalogue.li.pk, slug="other")).status_code == 404


class TestSearchPage:
    def test_it_lists_doctors_and_departments_best_match_first(self, client, catalogue):
        assert "首字母(如 zs)" in page(client, "search")  # the hint shows before a search
        response = client.get(url("search"), {"q": "zh"})
        html = response.content.decode()
        assert html.index("朱红") < html.index("张三")

    def test_it_finds_departments(self, client, catalogue):
        html = client.get(url("search"), {"q": "erke"}).content.decode()
        assert url("department", catalogue.paeds.pk) in html

    def test_it_says_when_nothing_matches(self, client, catalogue):
        html = client.get(url("search"), {"q": "无此人"}).content.decode()
        assert "没有找到相关医生或科室" in html

    def test_a_too_long_query_is_a_clear_400(self, client, catalogue):
        response = client.get(url("search"), {"q": "张" * 41})
        assert response.status_code == 400
        assert "搜索词最多 40 个字" in response.content.decode()

    def test_a_nul_character_is_a_clear_400(self, client, catalogue):
        response = client.get(url("search"), {"q": "zs\x00"})
        assert response.status_code == 400
        assert "不允许是用空字符串。" in response.content.decode()  # Django's own message

    def test_markup_in_the_query_is_escaped(self, client, catalogue):
        html = client.get(url("search"), {"q": "<script>x</script>"}).content.decode()
        assert "<script>x" not in html
        assert "&lt;script&gt;x&lt;/script&gt;" in html

    def test_another_institutions_doctors_are_not_listed(self, client, catalogue, other):
        html = client.get(url("search"), {"q": "张三"}).content.decode()
        assert url("doctor", other.doctor.pk) not in html

    def test_it_renders_in_english(self, english, catalogue):
        html = english.get(url("search"), {"q": "xinxue"}).content.decode()
        assert "Cardiology" in html and "Departments" in html
        response = english.get(url("search"), {"q": "z" * 41})
        assert response.status_code == 400
        assert "at most 40 characters" in response.content.decode()
