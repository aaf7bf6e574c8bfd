{#- The raw data contract (docs/data-contract.md) as data: every column of each raw
    entity, in contract order, and which of them are required. One place to read it from. -#}
{% macro raw_contract(entity) -%}
    {%- set contract = {
        'raw_profiles': {
            'columns': ['profile_id', 'email', 'phone_number', 'first_name', 'created_at',
                        'email_consent', 'sms_consent', 'country', 'region', 'city',
                        'birth_date', 'gender'],
            'required': ['profile_id', 'created_at', 'email_consent', 'sms_consent'],
        },
        'raw_orders': {
            'columns': ['order_id', 'profile_id', 'ordered_at', 'status', 'currency',
                        'order_total', 'discount_total'],
            'required': ['order_id', 'ordered_at', 'status', 'currency', 'order_total',
                         'discount_total'],
        },
        'raw_order_lines': {
            'columns': ['order_id', 'line_number', 'product_id', 'product_name', 'category',
                        'quantity', 'unit_price', 'discount_amount'],
            'required': ['order_id', 'line_number', 'product_id', 'category', 'quantity',
                         'unit_price', 'discount_amount'],
        },
        'raw_email_events': {
            'columns': ['event_id', 'profile_id', 'channel', 'event_type', 'campaign_id',
                        'occurred_at', 'is_apple_privacy_open'],
            'required': ['event_id', 'profile_id', 'channel', 'event_type', 'occurred_at'],
        },
        'raw_site_visits': {
            'columns': ['event_id', 'profile_id', 'session_id', 'event_type', 'occurred_at',
                        'product_id', 'category', 'value'],
            'required': ['event_id', 'session_id', 'event_type', 'occurred_at'],
        },
        'sales_periods': {
            'columns': ['sale_id', 'season', 'starts_on', 'ends_on'],
            'required': ['sale_id', 'season', 'starts_on', 'ends_on'],
        },
    } -%}
    {%- if entity not in contract -%}
        {{ exceptions.raise_compiler_error("No raw data contract for '" ~ entity ~ "'.") }}
    {%- endif -%}
    {{ return(contract[entity]) }}
{%- endmacro %}

{#- The raw entities whose rows are checked, staged or quarantined, and reconciled, in contract
    order (the configuration seeds, sales_periods and rfm_segments, are not). Each has the
    models base_<name>, stg_<name> and stg_<name>_quarantine, where <name> drops `raw_`. -#}
{% macro checked_entities() -%}
    {{ return(['raw_profiles', 'raw_orders', 'raw_order_lines', 'raw_email_events', 'raw_site_visits']) }}
{%- endmacro %}
