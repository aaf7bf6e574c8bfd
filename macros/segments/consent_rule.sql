{#- The consent condition of a segment: email_consent = 'subscribed' when var
    segments_require_email_consent is true (the default), or always for the segments the
    catalog marks (c); otherwise no condition (ad audiences). -#}
{% macro consent_rule(always_required=false, relation_alias='dim_profiles') -%}
    {{ return(adapter.dispatch('consent_rule', 'personas')(always_required, relation_alias)) }}
{%- endmacro %}

{% macro default__consent_rule(always_required, relation_alias) -%}
    {%- if always_required or var('segments_require_email_consent') -%}
        {{ relation_alias }}.is_email_consented
    {%- else -%}
        (1 = 1)
    {%- endif -%}
{%- endmacro %}
