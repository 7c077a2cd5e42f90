"""Related rows handed on through Django's relation cache, without a query."""

import pytest

from carebridge.booking.models import BookingPolicy
from carebridge.lib.relations import NOT_LOADED, attach, loaded


@pytest.mark.django_db
def test_an_attached_policy_is_used_without_a_query(hospital, django_assert_num_queries):
    assert loaded(hospital, "booking_policy") is NOT_LOADED
    policy = BookingPolicy(institution=hospital, patient_daily_limit=1)
    attach(hospital, "booking_policy", policy)
    with django_assert_num_queries(0):
        assert BookingPolicy.for_institution(hospital) is policy


@pytest.mark.django_db
def test_attached_none_means_the_defaults(hospital, django_assert_num_queries):
    BookingPolicy.objects.create(institution=hospital, patient_daily_limit=1)
    attach(hospital, "booking_policy", None)  # as a read that found no row would record
    with django_assert_num_queries(0):
        assert BookingPolicy.for_institution(hospital).pk is None


@pytest.mark.django_db
def test_without_a_loaded_row_it_asks_the_database(hospital, django_assert_num_queries):
    saved = BookingPolicy.objects.create(institution=hospital, patient_daily_limit=1)
    fresh = type(hospital).objects.get(pk=hospital.pk)  # creating the row cached it on hospital
    with django_assert_num_queries(1):
        assert BookingPolicy.for_institution(fresh) == saved
    assert loaded(hospital.pk, "booking_policy") is NOT_LOADED  # an id is never a cache
