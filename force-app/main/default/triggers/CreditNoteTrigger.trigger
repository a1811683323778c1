trigger CreditNoteTrigger on Credit_Note__c(before update, after update) {
    new CreditNoteTriggerHandler().run();
}
