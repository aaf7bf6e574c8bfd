{#- The columns every segment mart starts with, in this order (catalog, "Outputs"):
    profile_id, email, consent flags, country. -#}
{% macro segment_profile_columns(relation_alias='dim_profiles') -%}
    {{ return(adapter.dispatch('segment_profile_columns', 'personas')(relation_alias)) }}
{%- endmacro %}

{% macro default__segment_profile_columns(relation_alias) -%}
    {{ relation_alias }}.profile_id,
    {{ relation_alias }}.email,
    {{ relation_alias }}.is_email_consented,
    {{ relation_alias }}.is_sms_consented,
    {{ relation_alias }}.country
{%- endmacro %}
