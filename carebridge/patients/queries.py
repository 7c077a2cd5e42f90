"""The patients app's public reads, for other apps (booking) and its own views.

patients_of(follower)                -> QuerySet of the user's active patients
get_patient_for(follower, patient_id) -> Patient, or PatientNotFound (an Http404 and a
                                        Patient.DoesNotExist) for anyone else's or an
                                        archived patient
age_on(patient, day)                 -> completed years on that day
ineligibility(patient, institution, day) -> why the institution's current rules refuse the
                                        patient for a visit on that day, or None
"""

from datetime import date

from django.http import Http404
from django.utils.translation import gettext as _

from .models import Patient, PatientPolicy, full_years


class PatientNotFound(Http404, Patient.DoesNotExist):
    """Not this user's patient (or none at all): views answer 404, other code may catch
    Patient.DoesNotExist. The two cases are never told apart, so ids cannot be probed."""


def patients_of(follower):
    """The follower's active patients, default first."""
    return Patient.objects.active().filter(owner=follower).order_by("-is_default", "created_at")


def get_patient_for(follower, patient_id) -> Patient:
    try:
        patient = patients_of(follower).get(pk=int(patient_id))
    except (Patient.DoesNotExist, TypeError, ValueError) as exc:
        raise PatientNotFound("no such patient for this user") from exc
    patient.owner = follower  # found by its owner: patient.owner needs no query
    return patient


def default_patient_of(follower) -> Patient | None:
    return patients_of(follower).filter(is_default=True).first()


def age_on(patient: Patient, day: date) -> int:
    return full_years(patient.birth_date, day)


def policy_for(follower) -> PatientPolicy:
    """The rules of the institution whose account the follower uses."""
    return PatientPolicy.for_institution(follower.account.institution)


def ineligibility(patient: Patient, institution, day: date) -> str | None:
    """Why ``institution``'s rules, as they are now, refuse ``patient`` for a visit on ``day``;
    None when they accept. Checked again at booking: a child added at 17 may be 18 on the day
    of the visit, and staff may have changed the rules since the patient was added."""
    policy = PatientPolicy.for_institution(institution)
    if not policy.accepts(patient.id_type):
        accepted = "、".join(str(label) for _value, label in policy.accepted_id_type_choices())
        return _("本院不接受该证件类型，请使用：%(types)s") % {"types": accepted}
    if policy.max_age is not None and full_years(patient.birth_date, day) >= policy.max_age:
        return _("本院只接受未满%(age)s周岁的就诊人") % {"age": policy.max_age}
    return None
